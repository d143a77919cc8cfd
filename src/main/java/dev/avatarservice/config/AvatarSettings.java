package dev.avatarservice.config;

import java.util.List;

/**
 * What the avatar routes need: the upload limits, the image pool and where the files are served from.
 *
 * @param maxBytes         AVATAR_MAX_BYTES: largest upload body
 * @param maxPixels        AVATAR_MAX_PIXELS: largest image, in pixels, that is decoded
 * @param size             AVATAR_SIZE: the box the avatar is scaled into
 * @param uploadsPerMinute AVATAR_UPLOADS_PER_MINUTE: uploads per user and node
 * @param imageThreads     IMAGE_THREADS: threads that decode and re-encode images (0 configured: one per core)
 * @param imageQueue       IMAGE_QUEUE: images that may wait for a thread before more are refused with 503
 * @param avatarsDir       AVATARS_DIR: the folder of the files (the store writes and reads it)
 * @param sizes            AVATAR_SIZES: the smaller variants rendered besides the {@code size} box, ascending
 * @param decodeMemory     AVATAR_DECODE_MEMORY: bytes decoding one upload may need, estimated from its
 *                         header; above it the upload is 422
 * @param cpuBudgetMs      AVATAR_CPU_BUDGET_MS: CPU milliseconds one upload's image work may take before 422
 * @param cacheBytes       AVATAR_CACHE_BYTES: bytes of avatar images each node keeps for serving (0: none)
 */
public record AvatarSettings(long maxBytes, long maxPixels, int size, int uploadsPerMinute, int imageThreads,
                             int imageQueue, String avatarsDir, List<Integer> sizes, long decodeMemory,
                             int cpuBudgetMs, long cacheBytes) {
}
