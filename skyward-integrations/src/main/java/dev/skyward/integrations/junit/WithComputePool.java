package dev.skyward.integrations.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a JUnit 5 test class one {@link dev.skyward.ComputePool}, built before its first test and
 * closed after its last; test methods and lifecycle methods receive it as a parameter.
 *
 * <pre>{@code
 * @WithComputePool(nodes = 2)
 * class TrainingExperiment {
 *     @Test
 *     void lossGoesDown(ComputePool pool) {
 *         List<Double> losses = pool.broadcast(ctx -> train(ctx.rank()));
 *         assertThat(losses).allMatch(l -> l < 0.1);
 *     }
 * }
 * }</pre>
 *
 * <p>The pool uses the local provider unless {@code accelerator} asks for more than it has; for
 * cloud pools, build the pool yourself in {@code @BeforeAll}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ComputePoolExtension.class)
public @interface WithComputePool {

    /** Node count. */
    int nodes() default 1;

    /** Tasks per node at once. */
    int concurrency() default 1;

    /** Pool name prefix. */
    String name() default "junit";

    /** Whether pool progress and task output are printed. */
    boolean console() default false;
}
