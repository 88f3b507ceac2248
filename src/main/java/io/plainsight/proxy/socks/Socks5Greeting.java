package io.plainsight.proxy.socks;

import java.util.List;

/** A SOCKS5 client's first message: the authentication methods it offers. */
public record Socks5Greeting(List<Integer> methods) {}
