# The web client (web/, docs/web-client.md), embedded in the binary: `npm ci` in web/ when its
# lockfile changed, then web/build.mjs bundles it (esbuild, hashed names, gzip and brotli) and
# writes a .cpp with the bytes (src/argon/app/web_assets.hpp), compiled into argon_app. Needs node
# and npm (scripts/install-deps). -DARGON_WEB_CLIENT=OFF builds without it: then no page is
# served and GET / is the bare audio socket only.
option(ARGON_WEB_CLIENT "Embed the web client (needs node and npm)" ON)
set(ARGON_WEB_ASSETS ${CMAKE_BINARY_DIR}/generated/web_assets.cpp)
if(ARGON_WEB_CLIENT)
  find_program(ARGON_NODE node REQUIRED)
  find_program(ARGON_NPM npm REQUIRED)
  set(web ${CMAKE_SOURCE_DIR}/web)
  set(web_installed ${web}/node_modules/.package-lock.json)
  add_custom_command(
    OUTPUT ${web_installed}
    COMMAND ${ARGON_NPM} ci --no-audit --no-fund --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E touch ${web_installed}
    WORKING_DIRECTORY ${web}
    DEPENDS ${web}/package.json ${web}/package-lock.json
    COMMENT "web client: npm ci")
  file(GLOB_RECURSE web_sources CONFIGURE_DEPENDS ${web}/src/*)
  add_custom_command(
    OUTPUT ${ARGON_WEB_ASSETS}
    COMMAND ${ARGON_NODE} ${web}/build.mjs ${CMAKE_BINARY_DIR}/web ${ARGON_WEB_ASSETS}
    WORKING_DIRECTORY ${web}
    DEPENDS ${web_installed} ${web}/build.mjs ${web_sources}
    COMMENT "web client: bundle and embed")
else()
  file(WRITE ${ARGON_WEB_ASSETS}.tmp
       "// Built with -DARGON_WEB_CLIENT=OFF: no web client.\n"
       "#include \"argon/app/web_assets.hpp\"\n"
       "namespace argon::app {\nstd::span<const WebAsset> web_assets() { return {}; }\n}\n")
  file(COPY_FILE ${ARGON_WEB_ASSETS}.tmp ${ARGON_WEB_ASSETS} ONLY_IF_DIFFERENT)
endif()
target_sources(argon_app PRIVATE ${ARGON_WEB_ASSETS})
