package io.plainsight.sink.metrics;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.Sink;
import java.io.IOException;

/** A sink under another name (so two sinks of one kind are told apart in logs and metrics). */
public final class NamedSink implements Sink {
    private final String name;
    private final Sink sink;

    public NamedSink(String name, Sink sink) {
        this.name = name;
        this.sink = sink;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void accept(CaptureEvent event) throws IOException {
        sink.accept(event);
    }

    @Override
    public boolean acceptsData() {
        return sink.acceptsData();
    }

    @Override
    public boolean acceptsWire() {
        return sink.acceptsWire();
    }

    @Override
    public long writeFailures() {
        return sink.writeFailures();
    }

    @Override
    public void flush() throws IOException {
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }
}
