package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.local.Local;
import dev.skyward.testkit.Leaks;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Classes the nodes lack come from the client: from a jar on the client's classpath (shipped whole,
 * once per node, named by its content hash) or as single classes (build output directories).
 */
class CodeShippingTest {

    /** A class from the test's own output directory: it lives in no jar. */
    static final class Greeter implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        String greet(int rank) {
            return "greetings from " + rank;
        }
    }

    @Test
    void classesFromJarsShipAsWholeJarsOncePerNodeAndDirectoryClassesShipAlone() throws Exception {
        ComputePool pool = ComputePool.builder().name("ship-test").nodes(2).console(false)
                .output(OutputListener.SILENT).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try (pool) {
            // Caffeine is a dependency of the client only; the agent has no copy of it.
            List<Long> sizes = pool.broadcast(ctx -> {
                Cache<String, Integer> c = Caffeine.newBuilder().maximumSize(10).build();
                c.put("rank", ctx.rank());
                c.cleanUp();
                return c.estimatedSize();
            });
            assertThat(sizes).containsExactly(1L, 1L);
            List<String> where = pool.broadcast(ctx -> Caffeine.class.getProtectionDomain().getCodeSource()
                    .getLocation().getPath());
            String sha = sha256(Path.of(Caffeine.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
            assertThat(where).allSatisfy(p -> assertThat(p).endsWith("/cache/" + sha + ".jar"));

            // Use it again on every node: nothing new arrives, each node holds exactly one copy.
            pool.broadcast(ctx -> Caffeine.newBuilder().build().estimatedSize());
            for (int rank = 0; rank < 2; rank++) {
                Path cache = new Local().root().resolve(pool.id() + "-node-" + rank).resolve("cache");
                try (Stream<Path> jars = Files.list(cache)) {
                    assertThat(jars.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(sha)).toList())
                            .containsExactly(sha + ".jar");
                }
            }

            String greeting = pool.node(1).run(ctx -> new Greeter().greet(ctx.rank()));
            assertThat(greeting).isEqualTo("greetings from 1");
            String origin = pool.node(1).run(ctx -> Greeter.class.getClassLoader().getName());
            assertThat(origin).isEqualTo("skyward-session");
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            md.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
