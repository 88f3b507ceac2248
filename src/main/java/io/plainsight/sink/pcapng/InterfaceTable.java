package io.plainsight.sink.pcapng;

import io.plainsight.sink.pcap.PcapFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The interfaces of the file being written, in the order of their Interface Description Blocks
 * (an Enhanced Packet Block names its interface by that index). A key gets its block the first
 * time a packet of it goes into a file; a new file starts with none.
 */
final class InterfaceTable {
    private final List<InterfaceKey> inFile = new ArrayList<>();
    private final Map<InterfaceKey, Integer> ids = new HashMap<>();

    /** The id of {@code key} in the current file, writing its Interface Description Block first if needed. */
    int idFor(InterfaceKey key, PcapngOutput out) {
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        int next = inFile.size();
        // an original interface's packets are as long as the input's: no snap length (0) but the input's
        PcapngFormat.writeInterfaceDescription(out.buffer(), key.linkType(),
                key.kind() == InterfaceKey.Kind.ORIGINAL ? 0 : PcapFormat.SNAPLEN, key.name(), key.description());
        out.interfaceWritten();
        inFile.add(key);
        ids.put(key, next);
        return next;
    }

    /** Forgets every interface but the first {@code n} (a new file, or blocks lost to a failure). */
    void keepFirst(int n) {
        while (inFile.size() > n) {
            ids.remove(inFile.remove(inFile.size() - 1));
        }
    }
}
