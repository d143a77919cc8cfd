package dev.avatarservice.image;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One upload's avatar, ready to store: the image that fits the box and its smaller variants, all in
 * one format.
 *
 * @param extension {@code jpg} (no transparency) or {@code png}
 * @param main the avatar fitting the box (512)
 * @param width width of {@code main}
 * @param height height of {@code main}
 * @param variants the smaller renderings by the size they fit (64, 128, 256), only those smaller than {@code main}
 */
public record AvatarImages(String extension, byte[] main, int width, int height, NavigableMap<Integer, byte[]> variants) {

  public AvatarImages {
    variants = Collections.unmodifiableNavigableMap(new TreeMap<>(variants));
  }
}
