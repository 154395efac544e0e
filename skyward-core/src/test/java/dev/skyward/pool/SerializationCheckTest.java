package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.OutputLine;
import dev.skyward.TaskSerializationException;
import dev.skyward.testkit.Leaks;
import java.io.InputStream;
import java.io.Serializable;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A task that captures something that cannot travel fails on the caller's thread, before anything is sent. */
class SerializationCheckTest {

    private static final List<OutputLine> OUTPUT = new CopyOnWriteArrayList<>();
    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("capture-test").console(false).output(OUTPUT::add).build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePool() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    /** Serializable, but holds something that is not. */
    static final class Trainer implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name = "resnet";
        final Object db = new Object();
    }

    static final class Config implements Serializable {
        private static final long serialVersionUID = 1L;
        final List<Object> parts = new ArrayList<>(List.of("ok", new Thread()));
        transient Socket ignored = new Socket();
    }

    @Test
    void aCapturedNonSerializableFieldIsNamedWithItsPath() {
        Trainer trainer = new Trainer();
        assertThatThrownBy(() -> pool.run(ctx -> {
            System.out.println("should never run");
            return trainer.name;
        }))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("java.lang.Object at task")
                .hasMessageContaining("captured value 1 (" + Trainer.class.getName() + ")")
                .hasMessageContaining("field 'db'")
                .hasMessageContaining("does not implement java.io.Serializable")
                .hasMessageContaining("mark the field transient");
        assertThat(OUTPUT).extracting(OutputLine::text).doesNotContain("should never run");
    }

    @Test
    void objectsInsideCollectionsAreCheckedAndTransientFieldsAreNot() {
        Config config = new Config();
        assertThatThrownBy(() -> pool.run(ctx -> config.parts.size()))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("java.lang.Thread at task")
                .hasMessageContaining("field 'parts' (java.util.ArrayList) -> element 1 (java.lang.Thread)");
    }

    @Test
    void aCapturedStreamIsRefused() {
        InputStream in = InputStream.nullInputStream();
        assertThatThrownBy(() -> pool.submit(ctx -> in.available()))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("does not implement java.io.Serializable");
    }

    @Test
    void aCapturedNonSerializableLambdaIsRefused() {
        Function<Integer, Integer> plusOne = x -> x + 1;
        assertThatThrownBy(() -> pool.run(ctx -> plusOne.apply(1)))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("lambda in " + getClass().getName());
    }

    @Test
    void mapChecksEveryElement() {
        List<Object> items = List.of("fine", new Object());
        assertThatThrownBy(() -> pool.map(items, (ctx, x) -> x.toString()))
                .isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("at map element 1");
    }

    @Test
    void serializableCapturesTravel() {
        Map<String, List<Integer>> shards = Map.of("a", List.of(1, 2), "b", List.of(3));
        int total = pool.run(ctx -> shards.values().stream().mapToInt(List::size).sum());
        assertThat(total).isEqualTo(3);
    }
}
