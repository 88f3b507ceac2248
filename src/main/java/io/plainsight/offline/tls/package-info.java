/**
 * TLS decryption of reassembled TCP streams, for {@code plainsight decrypt} (like tshark's, with
 * the same results on Wireshark's own test captures).
 *
 * <p>One {@link io.plainsight.offline.tls.DecryptionKeys} per capture holds the key material and
 * the session cache; one {@link io.plainsight.offline.tls.TlsStreamDecryptor} per TCP connection
 * takes both directions' bytes in capture order and reports to a
 * {@link io.plainsight.offline.tls.TlsListener}:
 *
 * <pre>{@code
 * DecryptionKeys keys = new DecryptionKeys();
 * warnings.addAll(keys.addKeyLog("keys.log", reader));              // NSS key log (file or pcapng DSB)
 * keys.addRsaKeyFile(Path.of("server.p12"), password, null);        // PEM (PKCS#1/#8, encrypted) or PKCS#12
 * keys.addPsk(HexFormat.of().parseHex(pskHex));                     // --psk
 *
 * TlsStreamDecryptor d = new TlsStreamDecryptor(id, keys, listener, serverAddress);
 * d.data(true, micros, clientBytes);     // any split, interleaved with the server's in capture order
 * d.data(false, micros, serverBytes);
 * d.gap(false, missing);                 // a hole TCP reassembly could not fill
 * d.end(micros);
 * }</pre>
 *
 * <p>Secrets found in the middle of a capture (a pcapng Decryption Secrets Block) are added to
 * the same {@code DecryptionKeys} when they appear: each connection looks its keys up when its
 * first protected record needs them. Sessions seen in one connection can be resumed in a later
 * one (by session ID or ticket), so connections should be fed in capture order. Passwords for key
 * files come from a file or an environment variable, as for imported certificates:
 * {@link io.plainsight.tls.ServerCertificates#password(java.nio.file.Path, java.util.Map)}.
 *
 * <p>Layout: {@code TlsStreamDecryptor} frames records and removes their protection ({@code Side}
 * holds one direction's state); {@code HandshakeMessages} and {@code Handshake} follow the
 * handshakes; {@code Tls12Keys} finds a TLS 1.2-and-earlier master secret (key log, session cache,
 * RSA key, PSK), {@code Tls13Keys} turns TLS 1.3 traffic secrets into keys; {@code Prf} and
 * {@code Hkdf} derive; {@code AeadDecrypter}, {@code CbcDecrypter} and {@code StreamDecrypter}
 * decrypt records; {@code CipherSuite} knows the suites.
 */
package io.plainsight.offline.tls;
