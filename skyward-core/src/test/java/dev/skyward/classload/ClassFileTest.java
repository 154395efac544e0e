package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The class-file reader finds what a method's code reads and calls, and reads real class files whole. */
class ClassFileTest {

    static int counter = 3;
    static int unrelated = 4;

    static int helper(int v) {
        return v + 1;
    }

    static int body(int v) {
        IntSupplier s = () -> helper(counter);
        switch (v) {
            case 1: return s.getAsInt();
            case 2: return 7;
            case 3: return 9;
            default:
                switch (v * 1000) {
                    case 1000000: return 1;
                    case -5: return 2;
                    default: return s.getAsInt() + v;
                }
        }
    }

    static int other() {
        return unrelated;
    }

    @Test
    void aMethodsCodeNamesTheStaticFieldsItReadsAndTheMethodsAndLambdasItCalls() throws Exception {
        ClassFile cf = ClassFile.parse(bytesOf(ClassFileTest.class));
        assertThat(cf.name()).isEqualTo(ClassFileTest.class.getName());
        assertThat(cf.superName()).isEqualTo("java.lang.Object");

        ClassFile.Code body = cf.methods().get("body(I)I");
        String self = ClassFileTest.class.getName();
        assertThat(body.staticReads()).isEmpty();
        // The lambda's body is a bootstrap argument of the invokedynamic.
        ClassFile.Ref lambda = body.calls().stream().filter(r -> r.owner().equals(self) && r.name().startsWith("lambda$"))
                .findFirst().orElseThrow();
        ClassFile.Code lambdaBody = cf.methods().get(lambda.name() + lambda.descriptor());
        assertThat(lambdaBody.staticReads()).containsExactly(new ClassFile.Ref(self, "counter", "I"));
        assertThat(lambdaBody.calls()).contains(new ClassFile.Ref(self, "helper", "(I)I"));
        assertThat(cf.methods().get("other()I").staticReads()).containsExactly(new ClassFile.Ref(self, "unrelated", "I"));
    }

    @Test
    void everyClassOfTheJdksBaseModuleReadsWithoutError() throws Exception {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        try (Stream<Path> files = Files.walk(jrt.getPath("/modules/java.base/java/util"))) {
            List<Path> classes = files.filter(p -> p.toString().endsWith(".class")).toList();
            assertThat(classes).hasSizeGreaterThan(300);
            for (Path p : classes) {
                byte[] b = Files.readAllBytes(p);
                ClassFile cf = ClassFile.parse(b);
                assertThat(cf.name()).isEqualTo(ClassFile.nameOf(b));
                assertThat(cf.methods()).isNotNull();
            }
        }
    }

    @Test
    void bytesThatAreNotAClassFileHaveNoName() {
        assertThat(ClassFile.nameOf(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})).isNull();
        assertThat(ClassFile.nameOf(new byte[0])).isNull();
    }

    private static byte[] bytesOf(Class<?> c) throws Exception {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }
}
