/** File type attributes as VirusTotal reports them, for derived samples and for uploads by magic number. */
export interface FileType {
  description: string;
  tag: string;
  tags: string[];
  extension: string;
  magic: string;
  trid: Array<{ file_type: string; probability: number }>;
  /** PE files carry a compile timestamp (`creation_date`). */
  pe?: boolean;
}

export const ELF: FileType = {
  description: 'ELF',
  tag: 'elf',
  tags: ['executable', 'linux', 'elf'],
  extension: '',
  magic: 'ELF 32-bit LSB executable, ARM, EABI5 version 1 (SYSV), statically linked, stripped',
  trid: [{ file_type: 'ELF Executable and Linkable format (generic)', probability: 100.0 }],
};
export const WIN32_EXE: FileType = {
  description: 'Win32 EXE',
  tag: 'peexe',
  tags: ['executable', 'windows', 'win32', 'pe', 'peexe'],
  extension: 'exe',
  magic: 'PE32 executable (GUI) Intel 80386, for MS Windows',
  trid: [
    { file_type: 'Win32 Executable MS Visual C++ (generic)', probability: 47.3 },
    { file_type: 'Win64 Executable (generic)', probability: 15.9 },
    { file_type: 'Win32 Dynamic Link Library (generic)', probability: 9.9 },
  ],
  pe: true,
};
export const WIN32_DLL: FileType = {
  description: 'Win32 DLL',
  tag: 'pedll',
  tags: ['pedll', 'executable', 'windows', 'win32', 'pe'],
  extension: 'dll',
  magic: 'PE32 executable (DLL) (GUI) Intel 80386, for MS Windows',
  trid: [
    { file_type: 'Win32 Dynamic Link Library (generic)', probability: 38.4 },
    { file_type: 'Win32 Executable (generic)', probability: 26.3 },
  ],
  pe: true,
};
export const SHELL: FileType = {
  description: 'Shell script',
  tag: 'shell',
  tags: ['text', 'shell'],
  extension: 'sh',
  magic: 'POSIX shell script, ASCII text executable',
  trid: [{ file_type: 'Linux/UNIX shell script', probability: 100.0 }],
};
export const MS_WORD: FileType = {
  description: 'MS Word Document',
  tag: 'doc',
  tags: ['msoffice', 'doc'],
  extension: 'doc',
  magic: 'CDF V2 Document, Little Endian, Os: Windows, Version 6.1, Code page: 1252',
  trid: [
    { file_type: 'Microsoft Word document', probability: 58.2 },
    { file_type: 'Generic OLE2 / Multistream Compound', probability: 41.8 },
  ],
};
export const PDF: FileType = {
  description: 'PDF',
  tag: 'pdf',
  tags: ['pdf'],
  extension: 'pdf',
  magic: 'PDF document, version 1.4',
  trid: [{ file_type: 'Adobe Portable Document Format', probability: 100.0 }],
};
export const ZIP: FileType = {
  description: 'ZIP',
  tag: 'zip',
  tags: ['compressed', 'zip'],
  extension: 'zip',
  magic: 'Zip archive data, at least v2.0 to extract',
  trid: [{ file_type: 'ZIP compressed archive', probability: 100.0 }],
};
export const DOS_COM: FileType = {
  description: 'DOS COM',
  tag: 'com',
  tags: ['executable', 'dos', 'com'],
  extension: 'com',
  magic: 'COM executable for DOS',
  trid: [{ file_type: 'DOS Executable Generic', probability: 100.0 }],
};
export const TEXT: FileType = {
  description: 'Text',
  tag: 'text',
  tags: ['text'],
  extension: 'txt',
  magic: 'ASCII text, with no line terminators',
  trid: [{ file_type: 'Text - UTF-8 encoded', probability: 100.0 }],
};
export const EICAR_TYPE: FileType = { ...TEXT, magic: 'EICAR virus test files', extension: 'com' };
export const BINARY: FileType = {
  description: 'unknown',
  tag: 'unknown',
  tags: [],
  extension: '',
  magic: 'data',
  trid: [],
};

/** Types for samples known only by hash (weighted towards what honeypots see). */
export const DERIVED_TYPES: readonly FileType[] = [ELF, ELF, ELF, SHELL, SHELL, WIN32_EXE, WIN32_EXE, WIN32_DLL, MS_WORD, PDF, ZIP, DOS_COM];

/** The type of uploaded content, by its first bytes. */
export function typeFromMagic(head: Buffer): FileType {
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return WIN32_EXE;
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return ELF;
  if (isZip(head)) return ZIP;
  if (head.subarray(0, 4).toString('latin1') === '%PDF') return PDF;
  if (head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) return MS_WORD;
  if (head.subarray(0, 2).toString('latin1') === '#!') return SHELL;
  if (head.length > 0 && head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) return TEXT;
  return BINARY;
}

/** ZIP local file header, empty archive or spanned archive signature. */
export function isZip(head: Buffer): boolean {
  if (head.length < 4 || head[0] !== 0x50 || head[1] !== 0x4b) return false;
  const sig = `${head[2]},${head[3]}`;
  return sig === '3,4' || sig === '5,6' || sig === '7,8';
}
