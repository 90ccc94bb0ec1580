// Types of closed-schema.mjs, for the tests that import it.
export declare function closedSchema<T>(schema: T): T;
export declare function closedSpec<T>(spec: T, id: string): T & { $id: string };
export declare function vendorSentSchemaNames(spec: unknown): string[];
