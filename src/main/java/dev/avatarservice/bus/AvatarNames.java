package dev.avatarservice.bus;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Avatar file names, the one definition shared by the store (which makes them) and the HTTP side
 * (which accepts them in URLs before asking the store).
 *
 * <p>An avatar is 128 random bits in base64url (22 characters) and its extension: {@code .jpg} or
 * {@code .png} (avatars stored before variants existed are all {@code .png}). Its variants share the
 * random part, with the size they fit before the extension: {@code <id>.64.jpg}. A dot never occurs
 * in the random part, so a name splits one way only. Only the avatar's own name is ever a URL;
 * variants are reached through {@code ?size=}.
 */
public final class AvatarNames {

  /** An avatar's name, as in its URL. */
  public static final Pattern AVATAR = Pattern.compile("([A-Za-z0-9_-]{22})\\.(jpg|png)");
  /** A variant's file name: the avatar's random part, the size, the extension. */
  public static final Pattern VARIANT = Pattern.compile("([A-Za-z0-9_-]{22})\\.([1-9][0-9]{0,3})\\.(jpg|png)");
  /** A file being written (renamed into place once complete). */
  public static final String TEMP_SUFFIX = ".tmp";

  private AvatarNames() {
  }

  public static boolean isAvatar(String name) {
    return name != null && AVATAR.matcher(name).matches();
  }

  /** The file name of the variant of {@code avatar} that fits {@code size}. */
  public static String variant(String avatar, int size) {
    Matcher m = matched(avatar);
    return m.group(1) + "." + size + "." + m.group(2);
  }

  /** The avatar a file belongs to: itself, or the avatar of a variant; empty for any other name. */
  public static Optional<String> owner(String fileName) {
    if (isAvatar(fileName)) {
      return Optional.of(fileName);
    }
    Matcher m = VARIANT.matcher(fileName);
    return m.matches() ? Optional.of(m.group(1) + "." + m.group(3)) : Optional.empty();
  }

  /** A temporary file of the store's: an avatar or variant name and {@link #TEMP_SUFFIX}. */
  public static boolean isTemporary(String fileName) {
    return fileName.endsWith(TEMP_SUFFIX)
      && owner(fileName.substring(0, fileName.length() - TEMP_SUFFIX.length())).isPresent();
  }

  /** The media type by the extension of an avatar or variant name. */
  public static String contentType(String name) {
    return name.endsWith(".png") ? "image/png" : "image/jpeg";
  }

  /** The random part: the strong ETag of the avatar (a variant adds its size). */
  public static String id(String avatar) {
    return matched(avatar).group(1);
  }

  private static Matcher matched(String avatar) {
    Matcher m = AVATAR.matcher(avatar);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an avatar name");
    }
    return m;
  }
}
