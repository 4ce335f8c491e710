// attnlab core: a student's answers as plain data, the tensors by name. Sessions store them
// (session.h) and hand-ins produce them (core/course/answer_file.h); which names a course asks
// for, and whether a tensor is right, is the course's business (core/course/).
//
// Calling rules: plain values, no invariants beyond the comments; checked where they are read.
#pragma once

#include <Eigen/Dense>
#include <map>
#include <string>

namespace attn {

struct AnswerTensor {
    Eigen::MatrixXd data;    // vectors are stored as 1×n
    bool is_vector = false;  // true for shape (n,) ; (1,n) is stored with is_vector=false
    int line = 0;            // 1-based line in the source (0 for JSON)
};

using AnswerSet = std::map<std::string, AnswerTensor>;

}  // namespace attn
