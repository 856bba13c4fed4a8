#!/usr/bin/env python3
"""usage: zeep_sign.py KEY.pem CERT.pem ALGORITHM ENVELOPE.xml

Signs a SOAP envelope the way zeep's WS-Security plugin does (zeep.wsse.signature, over
libxmlsec1): a ds:Signature over the Body and the wsu:Timestamp already in wsse:Security,
exclusive C14N, the certificate as a BinarySecurityToken. ALGORITHM: rsa-sha256,
ecdsa-sha256 or rsa-sha1 (digests follow). Prints the signed envelope.

The soapbridge tests use it as an independent signer of backend answers.
"""
import sys

import xmlsec
from lxml import etree
from zeep.wsse.signature import BinarySignature

METHODS = {
    "rsa-sha256": (xmlsec.Transform.RSA_SHA256, xmlsec.Transform.SHA256),
    "ecdsa-sha256": (xmlsec.Transform.ECDSA_SHA256, xmlsec.Transform.SHA256),
    "rsa-sha1": (xmlsec.Transform.RSA_SHA1, xmlsec.Transform.SHA1),
}


def main():
    if len(sys.argv) != 5 or sys.argv[3] not in METHODS:
        sys.exit(__doc__)
    key, cert, algorithm, path = sys.argv[1:]
    signature_method, digest_method = METHODS[algorithm]
    envelope = etree.parse(path).getroot()
    plugin = BinarySignature(key, cert, signature_method=signature_method, digest_method=digest_method)
    signed, _ = plugin.apply(envelope, {})
    sys.stdout.write(etree.tostring(signed, encoding="unicode"))


if __name__ == "__main__":
    main()
