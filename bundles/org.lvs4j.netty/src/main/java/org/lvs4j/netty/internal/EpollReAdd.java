package org.lvs4j.netty.internal;

import java.io.UncheckedIOException;
import java.lang.reflect.Field;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's epoll I/O handler with a repair for a defect of Netty 4.2.18 that reset half-closed connections.
 *
 * <p>When a channel's interest set becomes empty (its input shut down after the peer's FIN and nothing left to
 * write), {@code EpollIoHandler} removes the descriptor from the epoll set (EPOLL_CTL_DEL) but keeps the registration
 * marked as added. The channel's next interest (a write the socket could not take at once) then becomes an
 * EPOLL_CTL_MOD that fails with ENOENT, and Netty closes the channel: a large response to a request whose sender had
 * already half-closed was cut short. Each registration here retries such a refused MOD as the ADD the descriptor
 * needs. Drop this class when the Netty in use re-adds descriptors itself.
 */
final class EpollReAdd implements IoHandlerFactory {

    private static final Field EPOLL_FD = epollFdField();

    private final IoHandlerFactory delegate = EpollIoHandler.newFactory();

    @Override
    public IoHandler newHandler(ThreadAwareExecutor executor) {
        IoHandler handler = delegate.newHandler(executor);
        return EPOLL_FD == null ? handler : new Handler(handler);
    }

    @Override
    public boolean isChangingThreadSupported() {
        return delegate.isChangingThreadSupported();
    }

    private static Field epollFdField() {
        try {
            Field f = EpollIoHandler.class.getDeclaredField("epollFd");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A Netty without the field is a different implementation: use it unrepaired.
            return null;
        }
    }

    private record Handler(IoHandler handler) implements IoHandler {
        @Override
        public void initialize() {
            handler.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return handler.run(context);
        }

        @Override
        public void prepareToDestroy() {
            handler.prepareToDestroy();
        }

        @Override
        public void destroy() {
            handler.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            IoRegistration registration = handler.register(handle);
            return handle instanceof EpollIoHandle epoll ? new Registration(registration, epoll, this) : registration;
        }

        @Override
        public void wakeup() {
            handler.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return handler.isCompatible(handleType);
        }

        int epollFd() throws IllegalAccessException {
            return ((FileDescriptor) EPOLL_FD.get(handler)).intValue();
        }
    }

    private record Registration(IoRegistration registration, EpollIoHandle handle, Handler handler)
            implements IoRegistration {
        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            try {
                return registration.submit(ops);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof Errors.NativeIoException n)
                        || n.expectedErr() != Errors.ERRNO_ENOENT_NEGATIVE) {
                    throw e;
                }
                int value = ((EpollIoOps) ops).value();
                try {
                    Native.epollCtlAdd(handler.epollFd(), handle.fd().intValue(), value);
                } catch (Exception again) {
                    e.addSuppressed(again);
                    throw e;
                }
                return value;
            }
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}
