// The mock server's public entry (filled in by the mock work).
export {};
