/**
 * A tar archive holding one empty regular file: what `putArchive` needs to truncate a file
 * inside a stopped container. Written by hand (one ustar header, two end blocks) rather than
 * pulling in a tar library for 512 bytes.
 */
export function emptyFileTar(name: string, mtimeSeconds = Math.floor(Date.now() / 1000)): Buffer {
  if (Buffer.byteLength(name) > 100 || name.includes('/')) {
    throw new Error(`file name ${JSON.stringify(name)} must be a plain name of at most 100 bytes`);
  }
  const header = Buffer.alloc(512, 0);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(0, 12));
  field(136, 12, octal(mtimeSeconds, 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return Buffer.concat([header, Buffer.alloc(1024, 0)]);
}
