package dev.skyward.wire.serial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.RemoteException;
import dev.skyward.wire.proto.ErrorInfo;
import dev.skyward.wire.proto.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class ErrorCodecTest {

    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void anUnknownExceptionTypeBecomesARemoteExceptionWithTheRemoteFacts() {
        ErrorInfo info = ErrorInfo.newBuilder().setClassName("com.example.OnlyOnTheNode").setMessage("gone")
                .setHasMessage(true)
                .addFrames(Frame.newBuilder().setDeclaringClass("com.example.Job").setMethodName("step")
                        .setFileName("Job.java").setLineNumber(42))
                .setCause(ErrorInfo.newBuilder().setClassName("java.io.IOException").setMessage("EIO").setHasMessage(true))
                .build();
        Throwable t = ErrorCodec.decode(info, loader);
        assertThat(t).isExactlyInstanceOf(RemoteException.class).hasMessage("com.example.OnlyOnTheNode: gone");
        assertThat(((RemoteException) t).remoteClassName()).isEqualTo("com.example.OnlyOnTheNode");
        assertThat(t.getStackTrace()).singleElement().satisfies(f -> {
            assertThat(f.getClassName()).isEqualTo("com.example.Job");
            assertThat(f.getLineNumber()).isEqualTo(42);
        });
        assertThat(t.getCause()).isExactlyInstanceOf(IOException.class).hasMessage("EIO");
    }

    @Test
    void withoutTheSerializedOriginalTheTypeIsRebuiltFromItsName() {
        Throwable original = new IllegalStateException("outer", new UncheckedIOException("u", new IOException("io")));
        ErrorInfo info = ErrorCodecTest.factsOnly(original);
        Throwable t = ErrorCodec.decode(info, loader);
        assertThat(t).isExactlyInstanceOf(IllegalStateException.class).hasMessage("outer");
        assertThat(t.getStackTrace()).isEqualTo(original.getStackTrace());
        // UncheckedIOException has no (String) constructor; its (String, IOException) one takes the cause.
        assertThat(t.getCause()).isExactlyInstanceOf(UncheckedIOException.class).hasMessage("u");
        assertThat(t.getCause().getStackTrace()).isNotEmpty();
        assertThat(t.getCause().getCause()).isExactlyInstanceOf(IOException.class).hasMessage("io");
    }

    @Test
    void withTheSerializedOriginalTheExactTypeAndFieldsComeBack() {
        Throwable original = new UncheckedIOException("u", new IOException("io"));
        original.addSuppressed(new ArithmeticException("also"));
        Throwable t = ErrorCodec.decode(ErrorCodec.encode(original), loader);
        assertThat(t).isExactlyInstanceOf(UncheckedIOException.class).hasMessage("u");
        assertThat(t.getStackTrace()).isEqualTo(original.getStackTrace());
        assertThat(t.getCause()).isExactlyInstanceOf(IOException.class).hasMessage("io");
        assertThat(t.getSuppressed()).singleElement().isExactlyInstanceOf(ArithmeticException.class);
    }

    @Test
    void anExceptionHoldingSomethingUnserializableStillComesBackFromItsFacts() {
        IllegalStateException original = new HoldsAThread("stuck");
        ErrorInfo info = ErrorCodec.encode(original);
        assertThat(info.getSerialized().isEmpty()).isTrue();
        Throwable t = ErrorCodec.decode(info, loader);
        assertThat(t).isExactlyInstanceOf(HoldsAThread.class).hasMessage("stuck");
        assertThat(t.getStackTrace()).isEqualTo(original.getStackTrace());
    }

    /** An exception with a field Java serialization refuses. */
    public static final class HoldsAThread extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("serial")
        final Thread thread = new Thread(() -> { });

        public HoldsAThread(String message) {
            super(message);
        }
    }

    private static ErrorInfo factsOnly(Throwable t) {
        return ErrorCodec.encode(t).toBuilder().clearSerialized().build();
    }

    @Test
    void aCauseOnlyAConstructorTakesIsKeptWhenTheTypeIsRebuiltFromItsName() {
        Throwable original = new ExceptionInInitializerError(new IllegalStateException("no driver"));
        Throwable t = ErrorCodec.decode(factsOnly(original), loader);
        assertThat(t).isExactlyInstanceOf(ExceptionInInitializerError.class);
        assertThat(t.getCause()).isExactlyInstanceOf(IllegalStateException.class).hasMessage("no driver");
        assertThat(t.getSuppressed()).isEmpty();
    }

    @Test
    void aCauseCycleDoesNotLoopForever() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b", a);
        a.initCause(b);
        ErrorInfo info = ErrorCodec.encode(a);
        assertThat(info.getCause().getClassName()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(info.getCause().hasCause()).isFalse();
    }
}
