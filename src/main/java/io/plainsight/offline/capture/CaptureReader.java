package io.plainsight.offline.capture;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Streams the records of a pcap or pcapng file or stream (gzip detected by its magic) in file
 * order, down to TCP segments.
 *
 * <pre>{@code
 * try (CaptureReader r = CaptureReader.open(path)) {      // or open(System.in, "stdin") for "-"
 *     while (r.next(listener)) { }
 * }
 * }</pre>
 *
 * <p>Formats: pcap (microsecond and nanosecond, both byte orders), pcapng (any number of sections
 * and interfaces, per-interface {@code if_tsresol} and {@code if_tsoffset}, Decryption Secrets
 * Blocks wherever they are), either gzip-compressed. Link types, IP and TCP: see
 * {@link PacketDecoder}.
 *
 * <p>Live input: {@link #next} reads only until the record it parses is complete, so on a pipe
 * every packet is delivered as soon as it has arrived.
 *
 * <p>Bad input: an input that does not start as a capture fails {@code open} with a
 * {@link CaptureFormatException}. After that, problems in the file (truncation, a corrupt block or
 * record length, an unsupported link type, snaplen-cut packets) are {@linkplain
 * CaptureListener#warning warnings} naming the file, the byte offset and the packet number, and
 * reading goes on where it can: after a corrupt length the reader looks for the next valid record,
 * and a last record cut short is used as far as it goes. Only I/O errors of the underlying stream
 * are thrown. Not thread-safe: one thread reads; {@link #close} may come from another, and then
 * ends a {@link #next} waiting for input with an {@code IOException}.
 *
 * <p>A gzip input is inflated on a thread of its own (a daemon, "gzip-inflate <i>name</i>", see
 * {@link ReadAhead}) a little ahead of the reading thread, so that inflating overlaps with what the
 * reader and its listener do. What is delivered is the same as when inflating on the reading thread
 * (but for where exactly a corrupt gzip stream ends, which may differ by less than 8 KiB), and on a
 * pipe every packet still comes out as soon as it has arrived. The thread ends at the end of the
 * input, on {@link #close}, and when {@code open} fails.
 */
public final class CaptureReader implements AutoCloseable {
    private static final int GZIP_BUFFER = 1 << 16;

    private final CaptureInput input;
    private final PacketDecoder decoder;
    private final RecordFormat format;
    private boolean ended;

    private CaptureReader(CaptureInput input, PacketDecoder decoder, RecordFormat format) {
        this.input = input;
        this.decoder = decoder;
        this.format = format;
    }

    /** Opens a capture file; "-" is not special here (the caller passes {@code System.in} to {@link #open(InputStream, String)}). */
    public static CaptureReader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            return open(in, file.toString());
        } catch (IOException | RuntimeException e) {
            try {
                in.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Starts reading a capture from {@code in} (which this reader closes), named {@code name} in
     * messages. Blocks until the first bytes arrive.
     *
     * @throws CaptureFormatException if the input is empty or not a (gzip-compressed) pcap or pcapng capture
     */
    public static CaptureReader open(InputStream in, String name) throws IOException {
        return open(in, name, CaptureInput.DEFAULT_BUFFER);
    }

    static CaptureReader open(InputStream in, String name, int bufferSize) throws IOException {
        return open(in, name, bufferSize, true);
    }

    /** {@link #open(InputStream, String, int, boolean, boolean)} without read-ahead for plain inputs. */
    static CaptureReader open(InputStream in, String name, int bufferSize, boolean inflateThread) throws IOException {
        return open(in, name, bufferSize, inflateThread, false);
    }

    /**
     * Like {@link #open(InputStream, String)}, and an input that is not gzip-compressed is read on a
     * thread of its own as well ({@link ReadAhead}, "read-ahead <i>name</i>"): for regular files,
     * whose reading (a system call and two copies per read) then overlaps with parsing and
     * decryption instead of adding to them (measured: ~0.3 s of the reading thread per GB).
     */
    public static CaptureReader openReadAhead(InputStream in, String name) throws IOException {
        return open(in, name, CaptureInput.DEFAULT_BUFFER, true, true);
    }

    /**
     * @param inflateThread whether a gzip input is inflated on its own thread ({@link ReadAhead});
     *                      false inflates on the reading thread (tests compare the two)
     * @param readAhead whether a plain input is read on its own thread
     */
    static CaptureReader open(InputStream in, String name, int bufferSize, boolean inflateThread, boolean readAhead)
            throws IOException {
        byte[] head = new byte[4];
        int n = readUpTo(in, head, name);
        boolean gzip = n >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
        CaptureInput input;
        ReadAhead inflater = null;
        if (gzip) {
            InputStream source = new SequenceInputStream(new ByteArrayInputStream(head, 0, n), in);
            try {
                if (inflateThread) {
                    inflater = ReadAhead.start(source, s -> new GZIPInputStream(s, GZIP_BUFFER), CaptureInput.GZIP_READ,
                            "gzip-inflate " + name);
                    input = new CaptureInput(inflater, name, true, Integer.MAX_VALUE, bufferSize);
                } else {
                    input = new CaptureInput(new GZIPInputStream(source, GZIP_BUFFER), name, true, CaptureInput.GZIP_READ,
                            bufferSize);
                }
            } catch (EOFException | ZipException e) {
                throw new CaptureFormatException(name + ": the gzip header is " + (e instanceof EOFException
                        ? "cut short" : "corrupt") + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
            }
        } else if (readAhead) {
            inflater = ReadAhead.start(in, s -> s, ReadAhead.CHUNK, "read-ahead " + name);
            input = new CaptureInput(inflater, name, false, Integer.MAX_VALUE, bufferSize, head, n);
        } else {
            input = new CaptureInput(in, name, false, Integer.MAX_VALUE, bufferSize, head, n);
        }
        try {
            return fromHeader(input, head, n);
        } catch (IOException | RuntimeException | Error e) {
            if (inflater != null) {
                inflater.abandon(); // the caller closes the stream, as without the thread
            }
            throw e;
        }
    }

    /** The reader for what the first bytes ({@code head}, n of them before gzip decompression) say. */
    private static CaptureReader fromHeader(CaptureInput input, byte[] head, int n) throws IOException {
        String name = input.name();
        boolean gzip = input.gzip();
        if (gzip) {
            input.request(4);
            n = input.available();
            System.arraycopy(input.array(), input.start(), head, 0, Math.min(4, n));
        }
        if (n < 4) {
            String problem = input.takeEndProblem();
            throw new CaptureFormatException(problem != null ? problem
                    : n == 0 ? name + ": empty" + (gzip ? " after gzip decompression" : "") + ", not a pcap or pcapng capture"
                    : name + ": only " + n + " bytes" + (gzip ? " after gzip decompression" : "")
                            + ", not a pcap or pcapng capture");
        }
        int magic = Bytes.i32(head, 0);
        PacketDecoder decoder = new PacketDecoder();
        RecordFormat format;
        if (PcapRecords.isMagic(magic)) {
            format = PcapRecords.open(input, decoder);
        } else if (PcapngBlocks.isMagic(magic)) {
            format = new PcapngBlocks(input, decoder);
        } else {
            throw new CaptureFormatException(notACapture(name, head, gzip));
        }
        return new CaptureReader(input, decoder, format);
    }

    private static int readUpTo(InputStream in, byte[] b, String name) throws IOException {
        int n = 0;
        try {
            while (n < b.length) {
                int r = in.read(b, n, b.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException e) {
            throw new IOException(name + ": cannot read: " + e.getMessage(), e);
        }
        return n;
    }

    private static String notACapture(String name, byte[] head, boolean gzip) {
        int m = Bytes.i32(head, 0);
        String what = switch (m) {
            case 0x28B52FFD -> "zstd-compressed; decompress it first (zstd -dc)";
            case 0xFD377A58 -> "xz-compressed; decompress it first (xz -dc)";
            case 0x04224D18 -> "lz4-compressed; decompress it first (lz4 -dc)";
            case 0xA1B2CD34, 0x34CDB2A1 -> "a modified (Kuznetzov) pcap, which is not supported; convert it with editcap -F pcap";
            default -> (head[0] == 'B' && head[1] == 'Z' && head[2] == 'h')
                    ? "bzip2-compressed; decompress it first (bzip2 -dc)"
                    : "not a pcap or pcapng capture (it starts with " + Bytes.hex(head, 0, 4) + ")";
        };
        return name + ": " + (gzip ? "after gzip decompression, " : "") + what;
    }

    /**
     * Reads the next record (a packet, or a pcapng block of any kind) and tells {@code listener}
     * what it holds; false at the end of the input, after the last warnings and the report of IP
     * fragments left incomplete. Problems (truncation, bad block, unknown link type) go to the
     * listener as warnings with the position, and reading continues where it can.
     *
     * @throws IOException only when the underlying stream fails (the message names the input)
     */
    public boolean next(CaptureListener listener) throws IOException {
        if (ended) {
            return false;
        }
        if (format.next(listener)) {
            return true;
        }
        ended = true;
        String problem = input.takeEndProblem();
        if (problem != null) {
            listener.warning(problem);
        }
        decoder.finish(listener);
        return false;
    }

    /** Reads to the end; returns the number of packets read. */
    public long readAll(CaptureListener listener) throws IOException {
        while (next(listener)) {
            // each call handles one record
        }
        return packets();
    }

    /** The name used in messages. */
    public String name() {
        return input.name();
    }

    /** Packets read so far (records holding a frame, whatever became of them); the last one's number. */
    public long packets() {
        return format.packets();
    }

    /** Bytes of capture consumed so far (decompressed bytes for a gzip input). */
    public long position() {
        return input.position();
    }

    /** The format, for reports: "pcapng (little-endian, interface 0: Ethernet), gzip-compressed". */
    public String format() {
        return format.description() + (input.gzip() ? ", gzip-compressed" : "");
    }

    @Override
    public void close() throws IOException {
        input.close();
    }
}
