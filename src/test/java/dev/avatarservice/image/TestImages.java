package dev.avatarservice.image;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Builds the test images in memory: nothing is read from disk. */
public final class TestImages {

  public static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  /**
   * 8x6 lossless WebP with alpha: left half opaque red, right half blue at alpha 0x80. Made once with
   * {@code cwebp -lossless -exact} from a PNG drawn by Java (the JDK has no WebP writer).
   */
  public static final byte[] WEBP_LOSSLESS_8X6 = Base64.getDecoder().decode(
      "UklGRiQAAABXRUJQVlA4TBgAAAAvB0ABEA8Q+z//D/yPCgBB/N96MBHR/xA=");

  /** 16x16 lossy WebP (VP8), solid green 0x00C000 before compression; made with {@code cwebp -q 90}. */
  public static final byte[] WEBP_LOSSY_16X16 = Base64.getDecoder().decode(
      "UklGRj4AAABXRUJQVlA4IDIAAAAQAgCdASoQABAAAMASJaACdLoB+AH6AAPIAP7tzt//RM5HO93/RNf/25Dy/Cp/+2wgAA==");

  /** Animated 6x4 lossless WebP: a red frame, then a blue one; made with {@code img2webp -lossless}. */
  public static final byte[] WEBP_ANIMATED_6X4 = Base64.getDecoder().decode(
      "UklGRoQAAABXRUJQVlA4WAoAAAACAAAABQAAAwAAQU5JTQYAAAD/////AABBTk1GKAAAAAAAAAAAAAUAAAMAAGQAAAJWUDhM"
      + "DwAAAC8FwAAABxD9j/4HIqL/AQBBTk1GKAAAAAAAAAAAAAUAAAMAAGQAAABWUDhMDwAAAC8FwAAABxDR//4HIqL/AQA=");

  private TestImages() {
  }

  // ---- pixels ----

  public static BufferedImage solid(int width, int height, int type, Color color) {
    BufferedImage image = new BufferedImage(width, height, type);
    Graphics2D g = image.createGraphics();
    g.setComposite(AlphaComposite.Src); // replace, so that transparent colours stay transparent
    g.setColor(color);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return image;
  }

  /** Left half one colour, right half another: tells a turn from a mirror image. */
  public static BufferedImage halves(int width, int height, int type, Color left, Color right) {
    BufferedImage image = solid(width, height, type, left);
    Graphics2D g = image.createGraphics();
    g.setComposite(AlphaComposite.Src);
    g.setColor(right);
    g.fillRect(width / 2, 0, width - width / 2, height);
    g.dispose();
    return image;
  }

  /** Four quadrants of different colours: every orientation gives a different arrangement. */
  public static BufferedImage quadrants(int width, int height, Color topLeft, Color topRight,
                  Color bottomLeft, Color bottomRight) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    int w = width / 2;
    int h = height / 2;
    g.setColor(topLeft);
    g.fillRect(0, 0, w, h);
    g.setColor(topRight);
    g.fillRect(w, 0, width - w, h);
    g.setColor(bottomLeft);
    g.fillRect(0, h, w, height - h);
    g.setColor(bottomRight);
    g.fillRect(w, h, width - w, height - h);
    g.dispose();
    return image;
  }

  /** Random pixels: incompressible, so the PNG's IDAT is most of the file. */
  public static BufferedImage noise(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x100_0000));
      }
    }
    return image;
  }

  /** A palette image whose index 0 is fully transparent and index 1 opaque red. */
  public static BufferedImage indexedWithTransparency(int width, int height) {
    byte[] r = {0, (byte) 255};
    byte[] g = {0, 0};
    byte[] b = {0, 0};
    byte[] a = {0, (byte) 255};
    IndexColorModel palette = new IndexColorModel(1, 2, r, g, b, a);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_BINARY, palette);
    WritableRaster raster = image.getRaster();
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setSample(x, y, 0, x < width / 2 ? 1 : 0);
      }
    }
    return image;
  }

  // ---- encoders ----

  public static byte[] write(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static byte[] png(BufferedImage image) {
    return write(image, "png");
  }

  public static byte[] jpeg(BufferedImage image) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.95f);
    return writeWith(writer, new IIOImage(image, null, null), param);
  }

  /**
   * A CMYK JPEG as Photoshop writes them: four channels, stored inverted, announced by an Adobe
   * APP14 segment with transform 0.
   */
  public static byte[] cmykJpeg(int width, int height, int cyan, int magenta, int yellow, int black) {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, width, height, 4, null);
    int[] inverted = {255 - cyan, 255 - magenta, 255 - yellow, 255 - black};
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setPixel(x, y, inverted);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    byte[] plain = writeWith(writer, new IIOImage(raster, null, null), null);
    byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
    return insertAfterSoi(plain, adobe);
  }

  /** A GIF frame: an image and its position on the logical screen. */
  public record GifFrame(BufferedImage image, int left, int top) {
  }

  /** An animated GIF (written with the JDK writer) with the given logical screen size. */
  public static byte[] gif(int screenWidth, int screenHeight, GifFrame... frames) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      for (GifFrame frame : frames) {
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata metadata = writer.getDefaultImageMetadata(
            ImageTypeSpecifier.createFromRenderedImage(frame.image()), param);
        String format = metadata.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(format);
        IIOMetadataNode descriptor = (IIOMetadataNode) root.getElementsByTagName("ImageDescriptor").item(0);
        descriptor.setAttribute("imageLeftPosition", Integer.toString(frame.left()));
        descriptor.setAttribute("imageTopPosition", Integer.toString(frame.top()));
        IIOMetadataNode control = (IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension").item(0);
        control.setAttribute("delayTime", "50");
        control.setAttribute("disposalMethod", "restoreToBackgroundColor");
        metadata.setFromTree(format, root);
        writer.writeToSequence(new IIOImage(frame.image(), null, metadata), param);
      }
      writer.endWriteSequence();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    byte[] gif = bytes.toByteArray();
    // The JDK writer sizes the logical screen itself; set the one asked for (16-bit little-endian).
    gif[6] = (byte) screenWidth;
    gif[7] = (byte) (screenWidth >>> 8);
    gif[8] = (byte) screenHeight;
    gif[9] = (byte) (screenHeight >>> 8);
    return gif;
  }

  private static byte[] writeWith(ImageWriter writer, IIOImage image, ImageWriteParam param) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, image, param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  // ---- EXIF ----

  /**
   * An APP1 Exif segment whose TIFF structure has IFD0 with Orientation and a GPS IFD (latitude
   * 52/1, 31/1, 0/1 north), in the given byte order.
   */
  public static byte[] exifSegment(int orientation, ByteOrder order) {
    ByteBuffer tiff = ByteBuffer.allocate(92).order(order);
    tiff.put(order == ByteOrder.BIG_ENDIAN ? new byte[] {'M', 'M'} : new byte[] {'I', 'I'});
    tiff.putShort((short) 42).putInt(8);
    // IFD0 at 8: two entries, sorted by tag.
    tiff.putShort((short) 2);
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
    tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(38);
    tiff.putInt(0);
    // GPS IFD at 38: GPSLatitudeRef "N" inline, GPSLatitude as three rationals at 68.
    tiff.putShort((short) 2);
    tiff.putShort((short) 0x0001).putShort((short) 2).putInt(2).put(new byte[] {'N', 0, 0, 0});
    tiff.putShort((short) 0x0002).putShort((short) 5).putInt(3).putInt(68);
    tiff.putInt(0);
    tiff.putInt(52).putInt(1).putInt(31).putInt(1).putInt(0).putInt(1);
    byte[] body = tiff.array();

    ByteArrayOutputStream segment = new ByteArrayOutputStream();
    int length = 2 + 6 + body.length;
    segment.write(0xFF);
    segment.write(0xE1);
    segment.write(length >>> 8);
    segment.write(length & 0xFF);
    segment.writeBytes("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
    segment.writeBytes(body);
    return segment.toByteArray();
  }

  public static byte[] jpegWithExif(BufferedImage image, int orientation, ByteOrder order) {
    return insertAfterSoi(jpeg(image), exifSegment(orientation, order));
  }

  public static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
    byte[] out = new byte[jpeg.length + segment.length];
    System.arraycopy(jpeg, 0, out, 0, 2);
    System.arraycopy(segment, 0, out, 2, segment.length);
    System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
    return out;
  }

  /** Sets the size in the first SOF segment of a JPEG, leaving the rest as it was. */
  public static byte[] withJpegSize(byte[] jpeg, int width, int height) {
    byte[] out = jpeg.clone();
    for (int i = 2; i + 9 < out.length; i++) {
      int marker = out[i + 1] & 0xFF;
      if ((out[i] & 0xFF) == 0xFF && marker >= 0xC0 && marker <= 0xC2) {
        // FF Cn, length(2), precision(1), height(2), width(2)
        out[i + 5] = (byte) (height >>> 8);
        out[i + 6] = (byte) height;
        out[i + 7] = (byte) (width >>> 8);
        out[i + 8] = (byte) width;
        return out;
      }
    }
    throw new IllegalArgumentException("no SOF segment");
  }

  // ---- PNG chunks ----

  /** A PNG chunk with its length and a valid CRC. */
  public static byte[] pngChunk(String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length)
        .putInt(data.length).put(typeBytes).put(data).putInt((int) crc.getValue())
        .array();
  }

  /** Inserts chunks right after IHDR (which always ends at byte 33). */
  public static byte[] withChunksAfterIhdr(byte[] png, byte[]... chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 33);
    for (byte[] chunk : chunks) {
      out.writeBytes(chunk);
    }
    out.write(png, 33, png.length - 33);
    return out.toByteArray();
  }

  public static byte[] textChunk(String keyword, String text) {
    return pngChunk("tEXt", (keyword + "\0" + text).getBytes(StandardCharsets.ISO_8859_1));
  }

  public static byte[] compressedTextChunk(String keyword, String text) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes((keyword + "\0").getBytes(StandardCharsets.ISO_8859_1));
    data.write(0); // compression method: deflate
    data.writeBytes(deflate(text.getBytes(StandardCharsets.ISO_8859_1)));
    return pngChunk("zTXt", data.toByteArray());
  }

  /**
   * A minimal PNG whose IHDR (with a valid CRC) declares the given size, 8-bit RGB, followed by
   * one small IDAT and IEND: far too little data for that size, as an attacker would send it.
   */
  public static byte[] pngDeclaring(int width, int height) {
    byte[] ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(PNG_SIGNATURE);
    out.writeBytes(pngChunk("IHDR", ihdr));
    out.writeBytes(pngChunk("IDAT", deflate(new byte[64])));
    out.writeBytes(pngChunk("IEND", new byte[0]));
    return out.toByteArray();
  }

  /** The chunk types of a PNG, in order; fails if anything follows IEND or a chunk is cut. */
  public static List<String> pngChunkTypes(byte[] png) {
    ByteBuffer buffer = ByteBuffer.wrap(png);
    buffer.position(PNG_SIGNATURE.length);
    List<String> types = new ArrayList<>();
    while (buffer.hasRemaining()) {
      int length = buffer.getInt();
      byte[] type = new byte[4];
      buffer.get(type);
      types.add(new String(type, StandardCharsets.ISO_8859_1));
      buffer.position(buffer.position() + length + 4);
      if (types.get(types.size() - 1).equals("IEND") && buffer.hasRemaining()) {
        throw new AssertionError("bytes after IEND");
      }
    }
    return types;
  }

  // ---- WebP ----

  /**
   * Wraps the bitstream chunk of a simple WebP (the chunk after the 12-byte RIFF header) in an
   * extended (VP8X) file whose canvas claims the given size, whatever the bitstream says.
   */
  public static byte[] withCanvas(byte[] simpleWebp, int canvasWidth, int canvasHeight) {
    byte[] bitstreamChunk = Arrays.copyOfRange(simpleWebp, 12, simpleWebp.length);
    ByteBuffer vp8x = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
    vp8x.put("VP8X".getBytes(StandardCharsets.ISO_8859_1)).putInt(10);
    vp8x.put((byte) 0x10).put(new byte[3]); // flags: alpha; reserved
    putU24(vp8x, canvasWidth - 1);
    putU24(vp8x, canvasHeight - 1);
    int riffSize = 4 + vp8x.capacity() + bitstreamChunk.length;
    return ByteBuffer.allocate(8 + riffSize).order(ByteOrder.LITTLE_ENDIAN)
        .put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt(riffSize)
        .put("WEBP".getBytes(StandardCharsets.ISO_8859_1))
        .put(vp8x.array()).put(bitstreamChunk)
        .array();
  }

  /** Sets the 14-bit width and height in the VP8 frame header of a simple lossy WebP. */
  public static byte[] withLossySize(byte[] lossyWebp, int width, int height) {
    byte[] out = lossyWebp.clone();
    // RIFF header(12), "VP8 " + size(8), frame tag(3), start code(3), then width and height.
    ByteBuffer.wrap(out, 26, 4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) width).putShort((short) height);
    return out;
  }

  /** Sets the 14-bit width and height in the VP8L header of a simple lossless WebP. */
  public static byte[] withLosslessSize(byte[] losslessWebp, int width, int height) {
    byte[] out = losslessWebp.clone();
    // RIFF header(12), "VP8L" + size(8), signature 0x2F, then 32 bits: width-1, height-1, alpha, version.
    ByteBuffer bits = ByteBuffer.wrap(out, 21, 4).order(ByteOrder.LITTLE_ENDIAN);
    int old = bits.getInt(21);
    bits.putInt(21, old & ~0x0FFF_FFFF | (width - 1) | (height - 1) << 14);
    return out;
  }

  private static void putU24(ByteBuffer buffer, int value) {
    buffer.put((byte) value).put((byte) (value >>> 8)).put((byte) (value >>> 16));
  }

  // ---- decoding the output ----

  public static BufferedImage decode(byte[] image) {
    try {
      BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(image));
      if (decoded == null) {
        throw new AssertionError("not a readable image");
      }
      return decoded;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater();
    deflater.setInput(data);
    deflater.finish();
    byte[] buffer = new byte[data.length + 64];
    int length = deflater.deflate(buffer);
    deflater.end();
    return Arrays.copyOf(buffer, length);
  }

  // ---- avatars as served ----

  /** The markers of a JPEG's segments up to its first scan (0xE0 APP0, 0xE1 EXIF, 0xDB tables...). */
  public static List<Integer> jpegMarkers(byte[] jpeg) {
    List<Integer> markers = new ArrayList<>();
    if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
      return markers;
    }
    int pos = 2;
    while (pos + 3 < jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
      int marker = jpeg[pos + 1] & 0xFF;
      markers.add(marker);
      if (marker == 0xDA) {
        break;
      }
      pos += 2 + ((jpeg[pos + 2] & 0xFF) << 8 | (jpeg[pos + 3] & 0xFF));
    }
    return markers;
  }

  /** Each channel within a lossy encoder's tolerance of the expected colour, alpha exact. */
  public static void assertColorNear(int actual, int expected) {
    for (int shift = 0; shift <= 16; shift += 8) {
      int a = actual >> shift & 0xFF;
      int e = expected >> shift & 0xFF;
      if (Math.abs(a - e) > 12) {
        throw new AssertionError(String.format("colour %08X is not near %08X", actual, expected));
      }
    }
    if (actual >>> 24 != expected >>> 24) {
      throw new AssertionError(String.format("alpha of %08X is not that of %08X", actual, expected));
    }
  }

  /**
   * Something like a phone photo: smooth gradients, edges and sensor noise, so that it neither
   * compresses to nothing (a flat colour) nor is pure noise (which no JPEG can shrink).
   */
  public static BufferedImage photoLike(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double fx = (double) x / width;
        double fy = (double) y / height;
        int base = (int) (110 + 70 * Math.sin(fx * 9 + fy * 4) + 40 * Math.cos(fy * 13));
        boolean object = (x - width * 0.6) * (x - width * 0.6) + (y - height * 0.5) * (y - height * 0.5)
            < (height * 0.3) * (height * 0.3);
        int noise = random.nextInt(9) - 4;
        int r = object ? 200 - (int) (60 * fy) : base;
        int g = object ? 90 + (int) (40 * fx) : base / 2 + (int) (90 * fx);
        int b = object ? 60 : 255 - base / 2 - (int) (60 * fy);
        row[x] = clamp(r + noise) << 16 | clamp(g + noise) << 8 | clamp(b + noise);
      }
      image.setRGB(0, y, width, 1, row, 0, width);
    }
    return image;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  /** A JPEG of quality 0.9, baseline or progressive (the JDK writer's default scan script). */
  public static byte[] jpeg(BufferedImage image, boolean progressive) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.9f);
    if (progressive) {
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    }
    return writeWith(writer, new IIOImage(image, null, null), param);
  }

  // ---- bombs ----

  /**
   * A 16-bit RGBA PNG of the given size whose pixels are all zero: a few hundred KB of deflate
   * for 8 bytes per pixel (6300 x 6300: about 308 KB, 318 MB of samples).
   */
  public static byte[] png16BitRgbaZeros(int width, int height) {
    ByteBuffer header = ByteBuffer.allocate(13).order(ByteOrder.BIG_ENDIAN);
    header.putInt(width).putInt(height).put((byte) 16).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(9);
    try (java.util.zip.DeflaterOutputStream out = new java.util.zip.DeflaterOutputStream(idat, deflater)) {
      byte[] row = new byte[1 + width * 8];
      for (int y = 0; y < height; y++) {
        out.write(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deflater.end();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(PNG_SIGNATURE);
    png.writeBytes(pngChunk("IHDR", header.array()));
    png.writeBytes(pngChunk("IDAT", idat.toByteArray()));
    png.writeBytes(pngChunk("IEND", new byte[0]));
    return png.toByteArray();
  }

  /** A tiny baseline JPEG whose frame header claims {@code side x side}: a few hundred bytes. */
  public static byte[] jpegClaiming(int side) {
    return withJpegSize(jpeg(solid(8, 8, BufferedImage.TYPE_INT_RGB, Color.GRAY)), side, side);
  }

  /**
   * A progressive JPEG with {@code extraScans} more scans: its smallest scan repeated before the end.
   * Decoders take every scan in turn, so the work grows with the count while the file stays small.
   */
  public static byte[] progressiveWithScans(BufferedImage image, int extraScans) {
    byte[] jpeg = jpeg(image, true);
    List<Integer> scans = new ArrayList<>();
    for (int i = 2; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xDA) {
        scans.add(i);
      }
    }
    int end = jpeg.length - 2; // EOI
    scans.add(end);
    int smallest = 0;
    for (int k = 1; k < scans.size() - 1; k++) {
      if (scans.get(k + 1) - scans.get(k) < scans.get(smallest + 1) - scans.get(smallest)) {
        smallest = k;
      }
    }
    byte[] scan = Arrays.copyOfRange(jpeg, scans.get(smallest), scans.get(smallest + 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, end);
    for (int k = 0; k < extraScans; k++) {
      out.writeBytes(scan);
    }
    out.write(jpeg, end, 2);
    return out.toByteArray();
  }
}
