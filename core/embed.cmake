# Writes INPUT's text into OUTPUT as a C++ string constant named SYMBOL (in namespace attn).
file(READ "${INPUT}" content)
string(FIND "${content}" ")attnjson\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )attnjson\"")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by core/embed.cmake. Do not edit.\nnamespace attn {\nextern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} = R\"attnjson(${content})attnjson\";\n}  // namespace attn\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
