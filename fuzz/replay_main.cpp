// The standalone replay main of every fuzz target in the normal (g++) build: runs
// LLVMFuzzerTestOneInput once over each file named on the command line, or each file of each
// directory named (sorted, so runs are reproducible). `ctest -L fuzz` runs it over the target's
// corpus (fuzz/corpus/<target>/). A crash, an ASan/UBSan report or an abort fails the test as it
// would fail the fuzzer. Exit 1 when no input was found (an empty corpus is a mistake).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> in_dir;
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.is_regular_file()) in_dir.push_back(e.path());
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 1;
    }
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replaying %s (%zu bytes)\n", f.c_str(), bytes.size());
    // A copy the size of the input exactly, so that ASan sees a read past its end.
    std::vector<uint8_t> exact(bytes.begin(), bytes.end());
    static const uint8_t kNone = 0;  // libFuzzer never passes a null pointer either
    LLVMFuzzerTestOneInput(exact.empty() ? &kNone : exact.data(), exact.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return files.empty() ? 1 : 0;
}
