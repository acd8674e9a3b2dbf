export declare const CONSOLE_V8_FLAGS: string[];
export declare const ELECTRON_JS_FLAGS: string;
