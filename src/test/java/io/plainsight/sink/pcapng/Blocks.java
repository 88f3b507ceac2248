package io.plainsight.sink.pcapng;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small, independent pcapng reader for the tests (little-endian files as we write them): every
 * block in file order, with the fields the tests look at. Checks each block's two length fields.
 */
final class Blocks {
    private Blocks() {}

    /** One block: its type and, by type, the interface name, packet fields, comment or secrets. */
    record Block(int type, String name, int interfaceId, long timestampMicros, byte[] data, String comment) {
        boolean packet() {
            return type == PcapngFormat.ENHANCED_PACKET;
        }

        boolean secrets() {
            return type == PcapngFormat.DECRYPTION_SECRETS;
        }

        boolean iface() {
            return type == PcapngFormat.INTERFACE_DESCRIPTION;
        }

        String text() {
            return new String(data, StandardCharsets.ISO_8859_1);
        }
    }

    static List<Block> read(Path file) {
        try {
            return read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Block> read(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Block> blocks = new ArrayList<>();
        while (b.remaining() >= 12) {
            int start = b.position();
            int type = b.getInt(start);
            int length = b.getInt(start + 4);
            assertThat(length % 4).as("block length at %d", start).isZero();
            assertThat(b.getInt(start + length - 4)).as("trailing length of the block at %d", start).isEqualTo(length);
            int end = start + length - 4;
            switch (type) {
                case PcapngFormat.INTERFACE_DESCRIPTION -> {
                    String name = option(b, start + 16, end, 2);
                    blocks.add(new Block(type, name, -1, 0, new byte[0], null));
                }
                case PcapngFormat.ENHANCED_PACKET -> {
                    int id = b.getInt(start + 8);
                    long ts = ((long) b.getInt(start + 12) << 32) | (b.getInt(start + 16) & 0xFFFFFFFFL);
                    int captured = b.getInt(start + 20);
                    byte[] frame = Arrays.copyOfRange(bytes, start + 28, start + 28 + captured);
                    String comment = option(b, start + 28 + ((captured + 3) & ~3), end, 1);
                    blocks.add(new Block(type, null, id, ts, frame, comment));
                }
                case PcapngFormat.DECRYPTION_SECRETS -> {
                    assertThat(b.getInt(start + 8)).isEqualTo(PcapngFormat.SECRETS_TLS_KEY_LOG);
                    int n = b.getInt(start + 12);
                    blocks.add(new Block(type, null, -1, 0, Arrays.copyOfRange(bytes, start + 16, start + 16 + n), null));
                }
                default -> blocks.add(new Block(type, null, -1, 0, new byte[0], null));
            }
            b.position(start + length);
        }
        assertThat(b.remaining()).as("bytes after the last whole block").isZero();
        return blocks;
    }

    /** The value of the first option {@code code} in {@code [from, end)}, or null. */
    private static String option(ByteBuffer b, int from, int end, int code) {
        int p = from;
        while (p + 4 <= end) {
            int c = b.getShort(p) & 0xFFFF;
            int n = b.getShort(p + 2) & 0xFFFF;
            if (c == 0) {
                return null;
            }
            if (c == code) {
                return new String(b.array(), p + 4, n, StandardCharsets.UTF_8);
            }
            p += 4 + ((n + 3) & ~3);
        }
        return null;
    }

    /** The packets of interface {@code id}. */
    static List<Block> packets(List<Block> blocks, int id) {
        return blocks.stream().filter(x -> x.packet() && x.interfaceId() == id).toList();
    }

    /** The index of the interface named {@code name} (by its order among the interface blocks). */
    static int interfaceId(List<Block> blocks, String name) {
        List<String> names = blocks.stream().filter(Block::iface).map(Block::name).toList();
        assertThat(names).contains(name);
        return names.indexOf(name);
    }
}
