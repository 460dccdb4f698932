import fs from "node:fs";
import tls from "node:tls";

/**
 * The certificate authorities to trust: Node's defaults plus a configured PEM file (a TLS-inspecting proxy's CA,
 * or a local fake's). `variable` names the setting in the error when the file cannot be read.
 */
export function trustedCas(caFile: string, variable: string): string[] {
  let pem: string;
  try {
    pem = fs.readFileSync(caFile, "utf8");
  } catch (error) {
    throw new Error(
      `${variable}: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { cause: error },
    );
  }
  return [...tls.rootCertificates, pem];
}
