// The browser client imports DOMPurify's ES module build from /web/static/vendor/; its types are the package's.
export { default } from "dompurify";
export * from "dompurify";
