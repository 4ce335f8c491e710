// attnlab core: sessions of the notebook course. A session file (core/formats/session.h) stores a
// student's answers as plain data; this header says which names the notebook and the built-in
// packs use, and gives the session functions with that vocabulary filled in.
//
// Calling rules: as core/formats/session.h. notebook_vocabulary() is built once, on first use,
// and never changes; it is safe to call from any thread.
#pragma once

#include "core/formats/session.h"

namespace attn {

// answer_names(), the notebook's task ids and discussion tasks, builtin_packs()'s ids.
const SessionVocabulary& notebook_vocabulary();

inline void validate_session(const Session& session, const std::string& where) {
    validate_session(session, where, notebook_vocabulary());
}
inline std::string session_to_json(const Session& session) { return session_to_json(session, notebook_vocabulary()); }
inline Session session_from_json(const std::string& text, const std::string& where) {
    return session_from_json(text, where, notebook_vocabulary());
}
inline void save_session(const Session& session, const std::string& path) {
    save_session(session, path, notebook_vocabulary());
}
inline Session load_session(const std::string& path) { return load_session(path, notebook_vocabulary()); }

}  // namespace attn
