package dev.skyward.parallel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The tasks the executor contract runs. They only capture strings and talk through marker files, so
 * they behave the same on a local thread and on a node (the local provider's nodes share this disk).
 */
final class Tasks {

    private Tasks() {
    }

    static RemoteCallable<Integer> value(int v) {
        return () -> v;
    }

    /** Returns {@code v} once {@code marker} exists (so another task is known to be running). */
    static RemoteCallable<Integer> valueOnce(Path marker, int v) {
        String m = marker.toString();
        return () -> {
            while (!Files.exists(Path.of(m))) {
                Thread.sleep(5);
            }
            return v;
        };
    }

    static RemoteCallable<Integer> failing(String message) {
        return () -> {
            throw new IllegalStateException(message);
        };
    }

    static RemoteRunnable touch(Path marker) {
        String m = marker.toString();
        return () -> create(m);
    }

    /**
     * Marks {@code name.started}, then waits for {@code gate}; marks {@code name.interrupted} if
     * interrupted while waiting, {@code name.finished} if the gate opened.
     */
    static RemoteCallable<String> blocker(Path dir, String name) {
        String d = dir.toString();
        return () -> {
            create(d + "/" + name + ".started");
            try {
                while (!Files.exists(Path.of(d, "gate"))) {
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                create(d + "/" + name + ".interrupted");
                throw e;
            }
            create(d + "/" + name + ".finished");
            return "done " + name;
        };
    }

    static void create(String path) {
        try {
            Files.createFile(Path.of(path));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // marked before
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(p)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(p + " did not appear within 30 s");
            }
            Thread.sleep(5);
        }
    }
}
