package dev.skyward.integrations.junit;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The extension behind {@link WithComputePool}: one pool per test class, kept in the class's
 * extension store so JUnit closes it after the class, even when tests fail.
 */
public final class ComputePoolExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ComputePoolExtension.class);

    /** For JUnit. */
    public ComputePoolExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        pool(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ComputePool.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return pool(context);
    }

    private static ComputePool pool(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        ExtensionContext classContext = context;
        while (classContext.getParent().isPresent() && classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().get();
        }
        WithComputePool settings = testClass.getAnnotation(WithComputePool.class);
        if (settings == null) {
            throw new ExtensionConfigurationException("annotate " + testClass.getName() + " with @WithComputePool");
        }
        return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(testClass, c -> new ClosingPool(
                ComputePool.builder().name(settings.name()).nodes(settings.nodes())
                        .concurrency(settings.concurrency()).console(settings.console())
                        .output(settings.console() ? line -> System.out.println("[node " + line.rank() + "] " + line.text())
                                : OutputListener.SILENT)
                        .build()), ClosingPool.class).pool;
    }

    /** Lets JUnit close the pool with the class's store. */
    private record ClosingPool(ComputePool pool) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            pool.close();
        }
    }
}
