/**
 * A certificate authority made at start and a server certificate it signs for 127.0.0.1 and localhost: the Azure
 * SDK sends bearer tokens only over https, so the fake speaks TLS that databot is told to trust (AZURE_AI_CA_FILE).
 */
import crypto from "node:crypto";
import forge from "node-forge";

export interface FakeTlsMaterial {
  /** The CA certificate databot trusts. */
  caPem: string;
  /** The server's key and certificate. */
  keyPem: string;
  certPem: string;
}

/** RSA keys from Node's native generator (fast), converted for node-forge. */
function rsaKeys(): forge.pki.rsa.KeyPair {
  const { privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function serial(): string {
  return "01" + crypto.randomBytes(15).toString("hex");
}

function validFor(cert: forge.pki.Certificate, days: number): void {
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
}

let generated: FakeTlsMaterial | undefined;

/** A CA and server certificate for loopback, generated once per process (key generation is the slow part). */
export function generateTlsMaterial(): FakeTlsMaterial {
  generated ??= freshTlsMaterial();
  return generated;
}

function freshTlsMaterial(): FakeTlsMaterial {
  const caKeys = rsaKeys();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  validFor(ca, 30);
  const caName = [
    { name: "commonName", value: "databot fake Foundry CA" },
    { name: "organizationName", value: "databot tests" },
  ];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = serverKeys.publicKey;
  cert.serialNumber = serial();
  validFor(cert, 30);
  cert.setSubject([{ name: "commonName", value: "127.0.0.1" }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: "127.0.0.1" },
        { type: 2, value: "localhost" },
      ],
    },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
    certPem: forge.pki.certificateToPem(cert),
  };
}
