import { join } from 'node:path';

/** The knowledge root uploads from the dashboard are imported into (guides/ and faq/ of their own). */
export const consoleImportRoot = (dataDir: string) => join(dataDir, 'imported', 'console');

/** Where an uploaded file waits while it is imported. */
export const consoleUploadDir = (dataDir: string) => join(dataDir, 'uploads');
