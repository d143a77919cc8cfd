package dev.avatarservice.image;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Places the first GIF frame on its logical screen the way browsers show it. The JDK reader returns
 * only the frame's own rectangle, which may be smaller than the screen and offset within it; around
 * it the screen is transparent (browsers ignore the background colour index).
 */
final class GifFirstFrame {

  private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
  private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

  private final Rectangle frame;
  private final Rectangle canvas;

  private GifFirstFrame(Rectangle frame, Rectangle canvas) {
    this.frame = frame;
    this.canvas = canvas;
  }

  /** Reads the logical screen and frame position from the metadata; no pixels are decoded. */
  static GifFirstFrame locate(ImageReader reader, int frameWidth, int frameHeight) throws IOException {
    Node screen = child(tree(reader.getStreamMetadata(), STREAM_FORMAT), "LogicalScreenDescriptor");
    Node descriptor = child(tree(reader.getImageMetadata(0), IMAGE_FORMAT), "ImageDescriptor");
    Rectangle frame = new Rectangle(intAttribute(descriptor, "imageLeftPosition"),
        intAttribute(descriptor, "imageTopPosition"), frameWidth, frameHeight);
    // A frame that sticks out of the screen (or a zero-sized screen) widens the canvas instead of
    // being cut, so nothing the uploader drew is lost.
    Rectangle screenArea = new Rectangle(0, 0, intAttribute(screen, "logicalScreenWidth"),
        intAttribute(screen, "logicalScreenHeight"));
    return new GifFirstFrame(frame, screenArea.union(frame));
  }

  Rectangle canvas() {
    return new Rectangle(canvas);
  }

  BufferedImage composite(BufferedImage frameImage) {
    if (frame.equals(canvas)) {
      return frameImage;
    }
    BufferedImage out = new BufferedImage(canvas.width, canvas.height, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setComposite(AlphaComposite.Src);
      g.drawImage(frameImage, frame.x, frame.y, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static Node tree(IIOMetadata metadata, String format) {
    return metadata == null ? null : metadata.getAsTree(format);
  }

  private static Node child(Node parent, String name) {
    for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (name.equals(n.getNodeName())) {
        return n;
      }
    }
    return null;
  }

  private static int intAttribute(Node node, String name) {
    NamedNodeMap attributes = node == null ? null : node.getAttributes();
    Node value = attributes == null ? null : attributes.getNamedItem(name);
    if (value == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(value.getNodeValue()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
