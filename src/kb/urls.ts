/** Where a citizen reads a guide (and one of its sections) on this server. */
export const guideUrl = (id: string, anchor?: string | null) => `/guides/${encodeURIComponent(id)}${anchor ? `#${anchor}` : ''}`;
