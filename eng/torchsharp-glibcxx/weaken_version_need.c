/* weaken_version_need FILE VERSION
 * Marks the version requirement VERSION (e.g. GLIBCXX_3.4.32) in FILE's .gnu.version_r section as
 * weak (vna_flags |= VER_FLG_WEAK), so the dynamic loader no longer refuses a libstdc++ without it.
 * Edits the file in place; exit 0 when marked (or already weak), 1 when absent, 2 on error. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s FILE VERSION\n", argv[0]); return 2; }
  FILE* f = fopen(argv[1], "r+b");
  if (!f) { perror(argv[1]); return 2; }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  unsigned char* data = malloc((size_t)size);
  fseek(f, 0, SEEK_SET);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "read failed\n"); return 2; }
  Elf64_Ehdr* eh = (Elf64_Ehdr*)data;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) {
    fprintf(stderr, "%s: not a 64-bit ELF file\n", argv[1]); return 2;
  }
  Elf64_Shdr* sh = (Elf64_Shdr*)(data + eh->e_shoff);
  int found = 0;
  for (int i = 0; i < eh->e_shnum && !found; i++) {
    if (sh[i].sh_type != SHT_GNU_verneed) continue;
    const char* strtab = (const char*)(data + sh[sh[i].sh_link].sh_offset);
    unsigned char* p = data + sh[i].sh_offset;
    for (;;) {
      Elf64_Verneed* vn = (Elf64_Verneed*)p;
      unsigned char* q = p + vn->vn_aux;
      for (int k = 0; k < vn->vn_cnt; k++) {
        Elf64_Vernaux* va = (Elf64_Vernaux*)q;
        if (strcmp(strtab + va->vna_name, argv[2]) == 0) { va->vna_flags |= VER_FLG_WEAK; found = 1; }
        q += va->vna_next;
      }
      if (vn->vn_next == 0) break;
      p += vn->vn_next;
    }
  }
  if (found) {
    fseek(f, 0, SEEK_SET);
    if (fwrite(data, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "write failed\n"); return 2; }
  }
  fclose(f);
  free(data);
  return found ? 0 : 1;
}
