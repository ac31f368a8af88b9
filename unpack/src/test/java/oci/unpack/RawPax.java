package oci.unpack;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rewrites a PAX xattr record of a tar with raw bytes, as Go's archive/tar and GNU tar write them
 * (Commons Compress can only write PAX values that are valid UTF-8 strings).
 */
final class RawPax {
    private RawPax() {}

    static byte[] rewriteXattr(byte[] tar, String name, byte[] value) {
        return rewrite(tar, "SCHILY.xattr." + name, value);
    }

    /** The tar's first PAX header: its {@code key} record replaced by one holding {@code value}. */
    static byte[] rewrite(byte[] tar, String name, byte[] value) {
        // header 0 is the PAX 'x' header; its data follows at 512
        if (tar[156] != 'x') throw new IllegalArgumentException("first entry is not a PAX header");
        int size = Integer.parseInt(new String(tar, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
        byte[] data = Arrays.copyOfRange(tar, 512, 512 + size);
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (data[sp] != ' ') sp++;
            int len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            String rec = new String(data, sp + 1, len - (sp + 1 - i), StandardCharsets.UTF_8);
            if (!rec.startsWith(name + "=")) records.write(data, i, len);
            i += len;
        }
        byte[] key = (" " + name + "=").getBytes(StandardCharsets.UTF_8);
        int body = key.length + value.length + 1;
        int len = body + String.valueOf(body).length();
        if (String.valueOf(len).length() != String.valueOf(body).length()) len++;
        records.writeBytes(String.valueOf(len).getBytes(StandardCharsets.US_ASCII));
        records.writeBytes(key);
        records.writeBytes(value);
        records.write('\n');
        byte[] newData = records.toByteArray();
        byte[] header = Arrays.copyOf(tar, 512);
        byte[] sizeField = String.format("%011o", newData.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(sizeField, 0, header, 124, 11);
        header[135] = 0;
        Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) sum += b & 0xff;
        byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
        int oldDataBlocks = (size + 511) / 512 * 512;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header);
        out.writeBytes(newData);
        out.writeBytes(new byte[(512 - newData.length % 512) % 512]);
        out.write(tar, 512 + oldDataBlocks, tar.length - 512 - oldDataBlocks);
        return out.toByteArray();
    }
}
