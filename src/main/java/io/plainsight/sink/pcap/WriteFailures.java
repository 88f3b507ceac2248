package io.plainsight.sink.pcap;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns an I/O failure into a short cause a person can act on (public: the PCAPNG sink says it the same way). */
public final class WriteFailures {
    private WriteFailures() {}

    public static String cause(IOException e) {
        String text;
        if (e instanceof AccessDeniedException a) {
            text = "permission denied" + on(a);
        } else if (e instanceof FileAlreadyExistsException f) {
            text = "a file is in the way" + on(f) + " (it exists and is not a directory)";
        } else if (e instanceof NotDirectoryException n) {
            text = "not a directory" + on(n);
        } else if (e instanceof NoSuchFileException n) {
            text = "no such file or directory" + on(n);
        } else if (e instanceof FileSystemException f) {
            text = (f.getReason() != null ? f.getReason() : "failed") + on(f);
        } else {
            text = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        if (text.contains("No space left on device")) {
            text += " (disk full)";
        }
        return text;
    }

    private static String on(FileSystemException e) {
        return e.getFile() != null ? ": " + e.getFile() : "";
    }
}
