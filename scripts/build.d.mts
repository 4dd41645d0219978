export declare const root: string;
export declare const bundleEntry: string;
/** Bundles src/ into dist/ and returns the entry's path. */
export declare function build(): string;
