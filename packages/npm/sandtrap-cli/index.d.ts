/** The platform package's name for this machine, or undefined when none is built for it. */
export declare function platformPackage(platform?: string, arch?: string): string | undefined;
/** The absolute path of the sandtrap binary: `SANDTRAP_BINARY`, else the platform package's. */
export declare function binaryPath(env?: Record<string, string | undefined>): string;
export declare const PLATFORMS: Record<string, string>;
