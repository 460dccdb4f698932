// The browser client imports marked's ES module build from /web/static/vendor/; its types are the package's.
export * from "marked";
