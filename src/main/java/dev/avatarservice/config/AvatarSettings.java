package dev.avatarservice.config;

/**
 * What the avatar routes need: the upload limits, the image pool and where the files are served from.
 *
 * @param maxBytes         AVATAR_MAX_BYTES: largest upload body
 * @param maxPixels        AVATAR_MAX_PIXELS: largest image, in pixels, that is decoded
 * @param size             AVATAR_SIZE: the box the avatar is scaled into
 * @param uploadsPerMinute AVATAR_UPLOADS_PER_MINUTE: uploads per user and node
 * @param imageThreads     IMAGE_THREADS: threads that decode and re-encode images (0 configured: one per core)
 * @param imageQueue       IMAGE_QUEUE: images that may wait for a thread before more are refused with 503
 * @param avatarsDir       AVATARS_DIR: the folder the files are served from (the store writes it)
 */
public record AvatarSettings(long maxBytes, long maxPixels, int size, int uploadsPerMinute, int imageThreads,
                             int imageQueue, String avatarsDir) {
}
