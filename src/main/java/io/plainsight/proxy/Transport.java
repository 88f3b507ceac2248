package io.plainsight.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ThreadFactory;

/** The socket transport: Linux epoll where available, NIO elsewhere. */
public final class Transport {
    public static final boolean EPOLL = Epoll.isAvailable();

    private Transport() {}

    public static EventLoopGroup newGroup(int threads, String name) {
        // Netty's own thread factory makes FastThreadLocalThreads: the buffer allocator and the
        // recyclers keep per-thread caches only on those
        ThreadFactory factory = new DefaultThreadFactory(name, false);
        return new MultiThreadIoEventLoopGroup(threads, factory,
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends Channel> socketChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Whether this channel runs on the epoll transport (so Linux socket options can be read). */
    static boolean isEpoll(Channel ch) {
        return EPOLL && ch instanceof EpollSocketChannel;
    }

    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }
}
