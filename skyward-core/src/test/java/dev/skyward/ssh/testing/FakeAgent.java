package dev.skyward.ssh.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A stand-in for the real agent that follows its command-line contract (binds 127.0.0.1 on a free
 * port, writes it atomically to the port file, exits after the heartbeat grace without traffic,
 * removes its work dir), so the SSH launcher can be tested before and apart from the engine. Speaks
 * a line protocol: {@code ping} → {@code pong}, {@code env NAME} → the value, {@code sleep MS} then
 * {@code slept}.
 */
public final class FakeAgent {

    private static volatile long lastHeard = System.currentTimeMillis();

    private FakeAgent() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--remove-work-dir-on-exit")) {
                opt.put("remove", "true");
            } else if (args[i].startsWith("--")) {
                opt.put(args[i].substring(2), args[++i]);
            }
        }
        Path work = Path.of(opt.get("work-dir"));
        Files.createDirectories(work);
        long grace = Long.parseLong(opt.getOrDefault("heartbeat-grace-ms", "10000"));
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Path portFile = Path.of(opt.get("port-file"));
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(server.getLocalPort()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE);
        Thread watchdog = new Thread(() -> {
            while (System.currentTimeMillis() - lastHeard < grace) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (opt.containsKey("remove")) {
                delete(work);
            }
            Runtime.getRuntime().halt(3);
        });
        watchdog.start();
        while (true) {
            Socket s = server.accept();
            Thread t = new Thread(() -> serve(s));
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lastHeard = System.currentTimeMillis();
                if (line.equals("ping")) {
                    out.println("pong");
                } else if (line.startsWith("env ")) {
                    out.println(System.getenv().getOrDefault(line.substring(4), ""));
                } else if (line.startsWith("sleep ")) {
                    long until = System.currentTimeMillis() + Long.parseLong(line.substring(6));
                    while (System.currentTimeMillis() < until) {
                        lastHeard = System.currentTimeMillis();
                        Thread.sleep(50);
                    }
                    out.println("slept");
                } else {
                    out.println("?");
                }
            }
        } catch (IOException | InterruptedException e) {
            // client went away
        }
    }

    private static void delete(Path root) {
        try (Stream<Path> w = Files.walk(root)) {
            w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    /**
     * Writes an executable jar holding this class.
     *
     * @param dir where to put it
     * @param padding extra bytes of incompressible content (to measure uploads), 0 for none
     * @return the jar
     */
    public static Path jar(Path dir, int padding) throws IOException {
        Path jar = dir.resolve("fake-agent-" + padding + ".jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeAgent.class.getName());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            String name = FakeAgent.class.getName().replace('.', '/') + ".class";
            out.putNextEntry(new JarEntry(name));
            try (var in = FakeAgent.class.getClassLoader().getResourceAsStream(name)) {
                in.transferTo(out);
            }
            if (padding > 0) {
                out.putNextEntry(new JarEntry("padding.bin"));
                byte[] b = new byte[padding];
                new java.util.Random(padding).nextBytes(b);
                out.write(b);
            }
        }
        return jar;
    }
}
