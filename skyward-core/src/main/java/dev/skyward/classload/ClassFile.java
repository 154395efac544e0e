package dev.skyward.classload;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one class file says about the code it reaches: for each method, the static fields it reads and
 * the methods and classes it refers to (lambda bodies included, through their bootstrap arguments).
 *
 * <p>Read by hand from the class-file format (JVMS chapter 4) instead of with a bytecode library: the
 * client needs only these references, and a library would be one more dependency on every user's
 * classpath. Unknown or malformed input fails with {@link IllegalArgumentException}.
 */
final class ClassFile {

    /** A method, field or class named in code: owner in binary form ({@code REPL.$JShell$12}). */
    record Ref(String owner, String name, String descriptor) {
    }

    /** What one method's code refers to. */
    record Code(List<Ref> staticReads, List<Ref> calls, Set<String> classes) {
    }

    private static final int UTF8 = 1, INTEGER = 3, FLOAT = 4, LONG = 5, DOUBLE = 6, CLASS = 7, STRING = 8,
            FIELD = 9, METHOD = 10, INTERFACE_METHOD = 11, NAME_AND_TYPE = 12, METHOD_HANDLE = 15,
            METHOD_TYPE = 16, DYNAMIC = 17, INVOKE_DYNAMIC = 18, MODULE = 19, PACKAGE = 20;

    private final String name;
    private final String superName;
    private final List<String> interfaces;
    private final Map<String, Code> methods;

    private ClassFile(String name, String superName, List<String> interfaces, Map<String, Code> methods) {
        this.name = name;
        this.superName = superName;
        this.interfaces = interfaces;
        this.methods = methods;
    }

    /** This class's binary name. */
    String name() {
        return name;
    }

    /** The superclass's binary name, or {@code null} for {@code java.lang.Object}. */
    String superName() {
        return superName;
    }

    /** The binary names of the interfaces this class implements directly. */
    List<String> interfaces() {
        return interfaces;
    }

    /** Every method, keyed by {@code name + descriptor}. */
    Map<String, Code> methods() {
        return methods;
    }

    /** Only the class's own name, without parsing the rest; {@code null} when these are not class-file bytes. */
    static String nameOf(byte[] bytes) {
        try {
            return new Parser(bytes).parseHeader();
        } catch (RuntimeException e) {
            return null;
        }
    }

    static ClassFile parse(byte[] bytes) {
        try {
            Parser p = new Parser(bytes);
            p.parseHeader();
            return p.parseRest();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException | ClassCastException e) {
            throw new IllegalArgumentException("malformed class file: " + e, e);
        }
    }

    private static final class Parser {
        private final ByteBuffer in;
        private Object[] pool;
        private int[] tags;
        private String name;

        Parser(byte[] bytes) {
            this.in = ByteBuffer.wrap(bytes);
        }

        String parseHeader() {
            if (in.getInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("not a class file");
            }
            in.getShort();
            in.getShort();
            int count = u2();
            pool = new Object[count];
            tags = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = in.get() & 0xff;
                tags[i] = tag;
                switch (tag) {
                    case UTF8 -> {
                        byte[] b = new byte[u2()];
                        in.get(b);
                        pool[i] = modifiedUtf8(b);
                    }
                    case INTEGER, FLOAT -> in.getInt();
                    case LONG, DOUBLE -> {
                        in.getLong();
                        i++;
                    }
                    case CLASS, STRING, METHOD_TYPE, MODULE, PACKAGE -> pool[i] = new int[] {u2()};
                    case FIELD, METHOD, INTERFACE_METHOD, NAME_AND_TYPE, DYNAMIC, INVOKE_DYNAMIC ->
                            pool[i] = new int[] {u2(), u2()};
                    case METHOD_HANDLE -> pool[i] = new int[] {in.get() & 0xff, u2()};
                    default -> throw new IllegalArgumentException("unknown constant tag " + tag);
                }
            }
            in.getShort(); // access flags
            name = className(u2());
            return name;
        }

        ClassFile parseRest() {
            int superIndex = u2();
            String superName = superIndex == 0 ? null : className(superIndex);
            List<String> interfaces = new ArrayList<>();
            for (int i = u2(); i > 0; i--) {
                interfaces.add(className(u2()));
            }
            int fields = u2();
            for (int i = 0; i < fields; i++) {
                skip(6);
                skipAttributes();
            }
            int methodCount = u2();
            Map<String, byte[]> code = new HashMap<>();
            for (int i = 0; i < methodCount; i++) {
                in.getShort();
                String key = utf8(u2()) + utf8(u2());
                int attrs = u2();
                for (int a = 0; a < attrs; a++) {
                    String attr = utf8(u2());
                    int len = in.getInt();
                    if (attr.equals("Code")) {
                        int start = in.position();
                        skip(4);
                        byte[] b = new byte[in.getInt()];
                        in.get(b);
                        code.put(key, b);
                        in.position(start + len);
                    } else {
                        skip(len);
                    }
                }
                code.putIfAbsent(key, new byte[0]);
            }
            List<int[]> bootstraps = new ArrayList<>();
            int attrs = u2();
            for (int a = 0; a < attrs; a++) {
                String attr = utf8(u2());
                int len = in.getInt();
                if (attr.equals("BootstrapMethods")) {
                    int n = u2();
                    for (int b = 0; b < n; b++) {
                        u2();
                        int[] args = new int[u2()];
                        for (int k = 0; k < args.length; k++) {
                            args[k] = u2();
                        }
                        bootstraps.add(args);
                    }
                } else {
                    skip(len);
                }
            }
            Map<String, Code> methods = new HashMap<>();
            code.forEach((k, b) -> methods.put(k, scan(b, bootstraps)));
            return new ClassFile(name, superName, List.copyOf(interfaces), methods);
        }

        private Code scan(byte[] code, List<int[]> bootstraps) {
            List<Ref> reads = new ArrayList<>();
            List<Ref> calls = new ArrayList<>();
            Set<String> classes = new LinkedHashSet<>();
            int pc = 0;
            while (pc < code.length) {
                int op = code[pc] & 0xff;
                switch (op) {
                    case 0xb2 -> reads.add(member(idx(code, pc + 1))); // getstatic
                    case 0xb3, 0xb4, 0xb5 -> classes.add(member(idx(code, pc + 1)).owner()); // putstatic, get/putfield
                    case 0xb6, 0xb7, 0xb8, 0xb9 -> calls.add(member(idx(code, pc + 1))); // invoke*
                    case 0xba -> { // invokedynamic: lambda bodies and method references are bootstrap arguments
                        int[] indy = (int[]) pool[idx(code, pc + 1)];
                        for (int arg : bootstraps.get(indy[0])) {
                            if (tags[arg] == METHOD_HANDLE) {
                                int ref = ((int[]) pool[arg])[1];
                                calls.add(member(ref));
                            } else if (tags[arg] == CLASS) {
                                classes.add(className(arg));
                            }
                        }
                    }
                    case 0xbb, 0xbd, 0xc0, 0xc1, 0xc5 -> classes.add(arrayElement(className(idx(code, pc + 1))));
                    case 0x12 -> constantClass(code[pc + 1] & 0xff, classes);
                    case 0x13 -> constantClass(idx(code, pc + 1), classes);
                    default -> {
                    }
                }
                pc += length(code, pc);
            }
            classes.remove(null);
            return new Code(List.copyOf(reads), List.copyOf(calls), classes);
        }

        private void constantClass(int index, Set<String> classes) {
            if (tags[index] == CLASS) {
                classes.add(arrayElement(className(index)));
            }
        }

        private Ref member(int index) {
            int[] ref = (int[]) pool[index];
            int[] nat = (int[]) pool[ref[1]];
            return new Ref(className(ref[0]), utf8(nat[0]), utf8(nat[1]));
        }

        private String className(int index) {
            return utf8(((int[]) pool[index])[0]).replace('/', '.');
        }

        private String utf8(int index) {
            return (String) pool[index];
        }

        private int u2() {
            return in.getShort() & 0xffff;
        }

        private void skip(int n) {
            in.position(in.position() + n);
        }

        private void skipAttributes() {
            int n = u2();
            for (int i = 0; i < n; i++) {
                u2();
                skip(in.getInt());
            }
        }
    }

    /** {@code [LREPL.$JShell$3$P;} becomes {@code REPL.$JShell$3$P}; primitive arrays become {@code null}. */
    private static String arrayElement(String name) {
        if (!name.startsWith("[")) {
            return name;
        }
        String e = name.substring(name.lastIndexOf('[') + 1);
        return e.startsWith("L") && e.endsWith(";") ? e.substring(1, e.length() - 1) : null;
    }

    private static int idx(byte[] code, int at) {
        return ((code[at] & 0xff) << 8) | (code[at + 1] & 0xff);
    }

    /** The length of the instruction at {@code pc}, operands included (JVMS 6.5). */
    private static int length(byte[] code, int pc) {
        int op = code[pc] & 0xff;
        if (op == 0xaa || op == 0xab) { // tableswitch, lookupswitch: padded to 4 bytes from the code's start
            int at = (pc + 4) & ~3;
            if (op == 0xaa) {
                int low = ByteBuffer.wrap(code, at + 4, 4).getInt();
                int high = ByteBuffer.wrap(code, at + 8, 4).getInt();
                return at + 12 + (high - low + 1) * 4 - pc;
            }
            int pairs = ByteBuffer.wrap(code, at + 4, 4).getInt();
            return at + 8 + pairs * 8 - pc;
        }
        if (op == 0xc4) { // wide
            return (code[pc + 1] & 0xff) == 0x84 ? 6 : 4;
        }
        return OPERANDS[op] + 1;
    }

    private static final int[] OPERANDS = new int[256];

    static {
        OPERANDS[0x10] = 1; // bipush
        OPERANDS[0x11] = 2; // sipush
        OPERANDS[0x12] = 1; // ldc
        OPERANDS[0x13] = 2;
        OPERANDS[0x14] = 2;
        for (int op = 0x15; op <= 0x19; op++) {
            OPERANDS[op] = 1; // loads
        }
        for (int op = 0x36; op <= 0x3a; op++) {
            OPERANDS[op] = 1; // stores
        }
        OPERANDS[0x84] = 2; // iinc
        for (int op = 0x99; op <= 0xa8; op++) {
            OPERANDS[op] = 2; // branches, goto, jsr
        }
        OPERANDS[0xa9] = 1; // ret
        for (int op = 0xb2; op <= 0xb8; op++) {
            OPERANDS[op] = 2; // field access, invokevirtual/special/static
        }
        OPERANDS[0xb9] = 4;
        OPERANDS[0xba] = 4;
        OPERANDS[0xbb] = 2;
        OPERANDS[0xbc] = 1;
        OPERANDS[0xbd] = 2;
        OPERANDS[0xc0] = 2;
        OPERANDS[0xc1] = 2;
        OPERANDS[0xc5] = 3;
        OPERANDS[0xc6] = 2;
        OPERANDS[0xc7] = 2;
        OPERANDS[0xc8] = 4;
        OPERANDS[0xc9] = 4;
    }

    /** Class files store strings in "modified UTF-8"; for names, plain UTF-8 decoding agrees except for NUL. */
    private static String modifiedUtf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
