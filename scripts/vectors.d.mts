// Types for the standalone vector generator (plain JavaScript on purpose: it imports nothing from lib/).
export function generateVectors(): unknown;
export function vectorsText(): string;
export const VECTORS_FILE: string;
