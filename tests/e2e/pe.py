"""pe.py -- tiny PE images and a test PKI for the Authenticode tests.

build_pe() writes a real, minimal PE32 or PE32+ DLL (DOS header, PE
signature, COFF header, optional header with 16 data directories, two
sections of FileAlignment 0x200), with a .NET CLR directory when asked.
TestPKI makes, with the openssl command line at test time, a root CA (and a
second one nobody trusts), code-signing leaves (valid now, expired, another
name) and a timestamping authority, and signs images with osslsigncode
(its built-in TSA: -TSA-certs/-TSA-key/-TSA-time makes an RFC 3161
timestamp offline, at a chosen time).
"""

import os
import shutil
import struct
import subprocess

FILE_ALIGN = 0x200
SECT_ALIGN = 0x1000


def build_pe(payload=b"", pe32plus=True, dotnet=False, sections=2):
    """Bytes of a minimal DLL; payload goes into the first section."""
    nsect = sections
    opt_size = 240 if pe32plus else 224
    headers = 0x40 + 4 + 20 + opt_size + 40 * nsect
    size_of_headers = (headers + FILE_ALIGN - 1) // FILE_ALIGN * FILE_ALIGN
    bodies = []
    for i in range(nsect):
        data = (payload if i == 0 else b"") + bytes((i * 37 + k) % 251 for k in range(300))
        raw = (len(data) + FILE_ALIGN - 1) // FILE_ALIGN * FILE_ALIGN
        bodies.append(data + b"\0" * (raw - len(data)))
    size_of_image = SECT_ALIGN * (nsect + 1)

    dos = bytearray(0x40)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3c, 0x40)
    coff = struct.pack("<HHIIIHH", 0x8664 if pe32plus else 0x14c, nsect,
                       0x5f000000, 0, 0, opt_size, 0x2022 if pe32plus else 0x2102)
    dirs = [(0, 0)] * 16
    if dotnet:
        dirs[14] = (SECT_ALIGN * 2, 72)
    if pe32plus:
        opt = struct.pack("<HBBIIIIIQIIHHHHHHIIIIHHQQQQII",
                          0x20b, 14, 0, len(bodies[0]), sum(map(len, bodies[1:])), 0,
                          SECT_ALIGN, SECT_ALIGN, 0x180000000, SECT_ALIGN, FILE_ALIGN,
                          6, 0, 0, 0, 6, 0, 0, size_of_image, size_of_headers, 0,
                          3, 0x160, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    else:
        opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII",
                          0x10b, 14, 0, len(bodies[0]), sum(map(len, bodies[1:])), 0,
                          SECT_ALIGN, SECT_ALIGN, SECT_ALIGN * 2, 0x10000000, SECT_ALIGN,
                          FILE_ALIGN, 6, 0, 0, 0, 6, 0, 0, size_of_image, size_of_headers,
                          0, 3, 0x140, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    opt += b"".join(struct.pack("<II", rva, size) for rva, size in dirs)
    assert len(opt) == opt_size, len(opt)
    table = b""
    raw_at = size_of_headers
    names = [b".text", b".rdata", b".data", b".rsrc"]
    for i, body in enumerate(bodies):
        table += struct.pack("<8sIIIIIIHHI", names[i % 4], len(body), SECT_ALIGN * (i + 1),
                             len(body), raw_at, 0, 0, 0, 0,
                             0x60000020 if i == 0 else 0x40000040)
        raw_at += len(body)
    head = bytes(dos) + b"PE\0\0" + coff + opt + table
    head += b"\0" * (size_of_headers - len(head))
    return head + b"".join(bodies)


def have_tools():
    return shutil.which("openssl") and shutil.which("osslsigncode")


def run(*argv, cwd=None):
    p = subprocess.run(list(argv), cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {p.stderr.decode(errors='replace')}")
    return p.stdout


CA_CNF = """[ca]
default_ca = test_ca
[test_ca]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}/new
serial = {dir}/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[codesign]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


class TestPKI:
    """Certificates in DIR: two CAs (root trusted, other not), leaves."""

    def __init__(self, d):
        self.dir = d
        os.makedirs(d, exist_ok=True)
        self.root = self._ca("root", "Exsweep Test Root CA")
        self.other = self._ca("other", "Untrusted Test Root CA")
        self.leaf = {
            "microsoft": self._leaf(self.root, "ms", "Microsoft Corporation",
                                    "20190101000000Z", "20361231000000Z", "codesign"),
            "contoso": self._leaf(self.root, "contoso", "Contoso Tools Ltd",
                                  "20190101000000Z", "20361231000000Z", "codesign"),
            "expired": self._leaf(self.root, "expired", "Microsoft Corporation",
                                  "20200101000000Z", "20210101000000Z", "codesign"),
            "untrusted": self._leaf(self.other, "untrusted", "Microsoft Corporation",
                                    "20190101000000Z", "20361231000000Z", "codesign"),
            "tsa": self._leaf(self.root, "tsa", "Exsweep Test TSA",
                              "20190101000000Z", "20361231000000Z", "tsa"),
        }

    def _ca(self, name, cn):
        d = os.path.join(self.dir, name)
        os.makedirs(os.path.join(d, "new"), exist_ok=True)
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        cnf = os.path.join(d, "ca.cnf")
        with open(cnf, "w") as f:
            f.write(CA_CNF.format(dir=d))
        key, csr, crt = (os.path.join(d, n) for n in ("ca.key", "ca.csr", "ca.pem"))
        run("openssl", "genrsa", "-out", key, "2048")
        run("openssl", "req", "-new", "-key", key, "-subj", f"/CN={cn}", "-out", csr,
            "-config", cnf)
        run("openssl", "ca", "-batch", "-notext", "-config", cnf, "-selfsign",
            "-keyfile", key, "-in", csr, "-out", crt, "-extensions", "root",
            "-startdate", "20190101000000Z", "-enddate", "20361231000000Z")
        return {"dir": d, "cnf": cnf, "key": key, "cert": crt}

    def _leaf(self, ca, name, cn, start, end, ext):
        d = ca["dir"]
        key, csr, crt = (os.path.join(d, f"{name}.{e}") for e in ("key", "csr", "pem"))
        run("openssl", "genrsa", "-out", key, "2048")
        run("openssl", "req", "-new", "-key", key, "-subj", f"/CN={cn}", "-out", csr,
            "-config", ca["cnf"])
        run("openssl", "ca", "-batch", "-notext", "-config", ca["cnf"], "-cert", ca["cert"],
            "-keyfile", ca["key"], "-in", csr, "-out", crt, "-extensions", ext,
            "-startdate", start, "-enddate", end)
        return {"key": key, "cert": crt, "ca": ca["cert"]}

    def sign(self, src, dst, who="microsoft", digest="sha256", ts_time=None):
        """Signs image file src into dst with leaf who; with ts_time (unix s)
        an RFC 3161 timestamp of that time from the test TSA."""
        leaf = self.leaf[who]
        chain = dst + ".chain.pem"
        with open(chain, "wb") as out:
            for p in (leaf["cert"], leaf["ca"]):
                with open(p, "rb") as f:
                    out.write(f.read())
        argv = ["osslsigncode", "sign", "-certs", chain, "-key", leaf["key"],
                "-h", digest, "-n", "exsweep test image"]
        if ts_time is not None:
            tsa = self.leaf["tsa"]
            tsa_chain = dst + ".tsa.pem"
            with open(tsa_chain, "wb") as out:
                for p in (tsa["cert"], tsa["ca"]):
                    with open(p, "rb") as f:
                        out.write(f.read())
            argv += ["-TSA-certs", tsa_chain, "-TSA-key", tsa["key"],
                     "-TSA-time", str(int(ts_time))]
        if os.path.exists(dst):
            os.unlink(dst)
        run(*argv, "-in", src, "-out", dst)
        os.unlink(chain)
        if ts_time is not None:
            os.unlink(dst + ".tsa.pem")
