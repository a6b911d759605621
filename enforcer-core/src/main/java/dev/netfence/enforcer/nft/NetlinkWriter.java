package dev.netfence.enforcer.nft;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growing buffer of netlink messages and attributes (netlink(7)): nested attributes and messages
 * are opened, written into and closed, and their lengths patched when closed, so a whole nf_tables
 * batch of a 10,000-pod table (~10 MB) is written into one array without intermediate copies.
 * Headers are in host byte order; attribute values are written as given (nf_tables numbers are
 * big-endian: {@link #be32}).
 */
final class NetlinkWriter {
    private byte[] buf;
    private int pos;

    NetlinkWriter(int capacity) {
        buf = new byte[Math.max(capacity, 256)];
    }

    int size() {
        return pos;
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** The bytes written, without copying (valid up to {@link #size()}). */
    byte[] array() {
        return buf;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    /** Opens a message: nlmsghdr + nfgenmsg. Returns its start for {@link #endMessage}. */
    int beginMessage(short type, short flags, int seq, byte family, int resId) {
        ensure(20);
        int start = pos;
        putNative32(0);
        putNative16(type);
        putNative16(flags);
        putNative32(seq);
        putNative32(0);
        buf[pos++] = family;
        buf[pos++] = 0;
        buf[pos++] = (byte) (resId >>> 8);
        buf[pos++] = (byte) resId;
        return start;
    }

    void endMessage(int start) {
        int len = pos - start;
        patchNative32(start, len);
        pad();
    }

    /** Opens a nested attribute; returns its start for {@link #endNested}. */
    int beginNested(int type) {
        ensure(4);
        int start = pos;
        putNative16((short) 0);
        putNative16((short) (type | NfNetlink.NLA_F_NESTED));
        return start;
    }

    void endNested(int start) {
        int len = pos - start;
        if (len > 0xffff) {
            throw new IllegalStateException("netlink attribute longer than 64 KiB");
        }
        patchNative16(start, (short) len);
    }

    void attr(int type, byte[] value) {
        attr(type, value, 0, value.length);
    }

    void attr(int type, byte[] value, int off, int len) {
        ensure(4 + len + 3);
        putNative16((short) (4 + len));
        putNative16((short) type);
        System.arraycopy(value, off, buf, pos, len);
        pos += len;
        pad();
    }

    void be32(int type, int value) {
        ensure(8);
        putNative16((short) 8);
        putNative16((short) type);
        buf[pos++] = (byte) (value >>> 24);
        buf[pos++] = (byte) (value >>> 16);
        buf[pos++] = (byte) (value >>> 8);
        buf[pos++] = (byte) value;
    }

    void be16(int type, int value) {
        attr(type, new byte[]{(byte) (value >>> 8), (byte) value});
    }

    void be64(int type, long value) {
        byte[] v = new byte[8];
        for (int i = 0; i < 8; i++) {
            v[i] = (byte) (value >>> (56 - 8 * i));
        }
        attr(type, v);
    }

    /** A NUL-terminated string attribute. */
    void string(int type, String value) {
        byte[] raw = value.getBytes(StandardCharsets.US_ASCII);
        ensure(4 + raw.length + 1 + 3);
        putNative16((short) (4 + raw.length + 1));
        putNative16((short) type);
        System.arraycopy(raw, 0, buf, pos, raw.length);
        pos += raw.length;
        buf[pos++] = 0;
        pad();
    }

    /** The whole content of another writer, appended as is (messages built apart). */
    void append(NetlinkWriter other) {
        ensure(other.pos);
        System.arraycopy(other.buf, 0, buf, pos, other.pos);
        pos += other.pos;
    }

    private void pad() {
        int aligned = (pos + 3) & ~3;
        ensure(aligned - pos);
        while (pos < aligned) {
            buf[pos++] = 0;
        }
    }

    private void putNative16(short v) {
        // x86-64 and arm64 run little-endian; netlink headers are in host order
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
    }

    private void putNative32(int v) {
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 24);
    }

    private void patchNative32(int at, int v) {
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
        buf[at + 2] = (byte) (v >>> 16);
        buf[at + 3] = (byte) (v >>> 24);
    }

    private void patchNative16(int at, short v) {
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
    }
}
