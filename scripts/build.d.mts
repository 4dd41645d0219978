/** Bundles src/ into dist/ and returns the entry's path. */
export declare function build(): string;
