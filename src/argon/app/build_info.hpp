#pragma once
// What this binary is: argon's version (CMakeLists.txt project version) and the git commit it was
// built from ("unknown" outside a git checkout; "-dirty" with uncommitted changes). Generated at
// build time (cmake/build_info.cmake).
namespace argon::app {

extern const char* const kArgonVersion;
extern const char* const kGitCommit;

}  // namespace argon::app
