package dev.avatarservice.image;

import com.twelvemonkeys.image.ResampleOp;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Turns any decoded image into a plain INT_RGB or INT_ARGB image (ARGB only if the source has alpha)
 * that fits within a square, keeping the aspect ratio and never enlarging.
 *
 * <p>How, and why: first, Java2D halves each side while it stays at least the target size. A bilinear
 * draw at exactly half size averages 2x2 blocks (a box filter), which removes most aliasing, unlike a
 * single bilinear jump that skips source pixels; Java2D's native loops make these big reductions
 * fast whatever the source type. Then TwelveMonkeys' Lanczos {@link ResampleOp}
 * does the last step of less than 2x, for a sharp result; doing only that small step keeps its filter
 * short, whereas running it across a 40x reduction would compute hundreds of taps per pixel. Steps
 * with alpha work on premultiplied pixels, so transparent areas do not bleed dark fringes into the
 * edges.
 */
final class Downscaler {

    private Downscaler() {
    }

    static BufferedImage fitWithin(BufferedImage source, int maxSide) {
        int width = source.getWidth();
        int height = source.getHeight();
        boolean alpha = source.getColorModel().hasAlpha();
        double scale = Math.min(1.0, Math.min((double) maxSide / width, (double) maxSide / height));
        int targetW = Math.min(maxSide, Math.max(1, (int) Math.round(width * scale)));
        int targetH = Math.min(maxSide, Math.max(1, (int) Math.round(height * scale)));
        int finalType = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;

        if (targetW == width && targetH == height) {
            return source.getType() == finalType ? source : redraw(source, width, height, finalType);
        }

        int workType = alpha ? BufferedImage.TYPE_INT_ARGB_PRE : BufferedImage.TYPE_INT_RGB;
        BufferedImage current = source;
        int w = width;
        int h = height;
        while (true) {
            // Each side halves on its own, so a long thin image still shrinks along its long side.
            int nextW = w / 2 >= targetW ? w / 2 : w;
            int nextH = h / 2 >= targetH ? h / 2 : h;
            if (nextW == w && nextH == h) {
                break;
            }
            w = nextW;
            h = nextH;
            current = redraw(current, w, h, workType);
        }
        if (current.getType() != workType) {
            current = redraw(current, w, h, workType);
        }
        if (w != targetW || h != targetH) {
            current = new ResampleOp(targetW, targetH, ResampleOp.FILTER_LANCZOS).filter(current, null);
        }
        return current.getType() == finalType ? current : redraw(current, targetW, targetH, finalType);
    }

    /** Draws the image at the given size into a new image of the given type. */
    private static BufferedImage redraw(BufferedImage source, int width, int height, int type) {
        BufferedImage target = new BufferedImage(width, height, type);
        Graphics2D g = target.createGraphics();
        try {
            g.setComposite(AlphaComposite.Src);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return target;
    }
}
