// Input splitting: every line is read by exactly one worker, in order, for any number of
// workers and files.
#include "paracel/load.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "paracel/error.hpp"

namespace {

namespace fs = std::filesystem;

class Inputs : public ::testing::Test {
 protected:
  Inputs() {
    dir_ = fs::temp_directory_path() / ("paracel_load_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Inputs() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  // The lines a serial reader sees: split at '\n', no line after a final newline.
  static std::vector<std::string> serial_lines(const std::string& content) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < content.size()) {
      const auto nl = content.find('\n', start);
      const auto stop = nl == std::string::npos ? content.size() : nl;
      out.push_back(content.substr(start, stop - start));
      start = stop + 1;
    }
    return out;
  }

  fs::path dir_;
};

TEST_F(Inputs, EveryLineExactlyOnceForManyShapes) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 60; ++trial) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const int file_count = 1 + rng() % 6;
    std::vector<std::string> expected;
    std::vector<std::string> files;
    for (int f = 0; f < file_count; ++f) {
      std::string content;
      const int lines = rng() % 4 == 0 ? 0 : rng() % 40;  // some empty files
      for (int l = 0; l < lines; ++l) {
        const int kind = rng() % 5;
        if (kind == 0) {
          content += "\n";  // blank line
        } else {
          content += "f" + std::to_string(f) + "l" + std::to_string(l) +
                     std::string(rng() % (kind == 4 ? 300 : 12), 'x') + "\n";
        }
      }
      if (lines > 0 && rng() % 2) content.pop_back();  // last line without newline
      const auto name = "in" + std::to_string(f) + ".txt";
      files.push_back(write(name, content));
      for (auto& l : serial_lines(content)) expected.push_back(l);
    }
    std::sort(files.begin(), files.end());
    for (int workers : {1, 2, 3, 4, 7, 50}) {
      std::vector<std::string> seen;
      for (int r = 0; r < workers; ++r) {
        paracel::for_each_line(files, r, workers, [&](std::string_view line, const auto&) {
          seen.emplace_back(line);
        });
      }
      EXPECT_EQ(seen, expected) << "trial " << trial << ", " << workers << " workers";
    }
  }
}

TEST_F(Inputs, SharesAreBalancedByBytes) {
  std::string content;
  for (int i = 0; i < 10000; ++i) content += "line " + std::to_string(i) + "\n";
  const auto file = write("big.txt", content);
  for (int r = 0; r < 4; ++r) {
    std::size_t bytes = 0;
    paracel::for_each_line({file}, r, 4,
                           [&](std::string_view line, const auto&) { bytes += line.size() + 1; });
    EXPECT_NEAR(static_cast<double>(bytes), content.size() / 4.0, 20.0) << r;
  }
}

TEST_F(Inputs, ExpandsFilesDirectoriesAndGlobs) {
  const auto a = write("a.txt", "1\n");
  const auto b = write("sub/b.txt", "2\n");
  const auto c = write("sub/deeper/c.log", "3\n");
  EXPECT_EQ(paracel::expand_inputs(a), std::vector<std::string>{a});
  EXPECT_EQ(paracel::expand_inputs(dir_.string()), (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(paracel::expand_inputs((dir_ / "sub" / "*.txt").string()), std::vector<std::string>{b});
  try {
    paracel::expand_inputs((dir_ / "nothing*").string());
    FAIL() << "no error";
  } catch (const paracel::error& e) {
    EXPECT_NE(std::string(e.what()).find("nothing*"), std::string::npos);
  }
}

TEST_F(Inputs, ParseErrorsNameFileAndLine) {
  const auto file = write("data.txt", "ok\nok\n\nbad line\nok\n");
  try {
    paracel::for_each_line({file}, [&](std::string_view line, const paracel::line_location& at) {
      if (line == "bad line") paracel::throw_parse_error(at, line, "expected a number");
    });
    FAIL() << "no error";
  } catch (const paracel::error& e) {
    EXPECT_EQ(std::string(e.what()), file + ":4: expected a number (line: \"bad line\")");
  }
}

TEST_F(Inputs, FieldsAndNumbersOfALine) {
  using views = std::vector<std::string_view>;
  EXPECT_EQ(paracel::split_fields(" a\tb,c,,d \r"), (views{"a", "b", "c", "d"}));
  EXPECT_TRUE(paracel::split_fields(" \t ").empty());
  const auto file = write("numbers.txt", "1.5 2e3\n-0.25 x\n3 inf\n");
  std::vector<double> seen;
  std::vector<std::string> errors;
  paracel::for_each_line({file}, [&](std::string_view line, const paracel::line_location& at) {
    for (auto field : paracel::split_fields(line)) {
      try {
        seen.push_back(paracel::parse_number(field, at, line));
      } catch (const paracel::error& e) {
        errors.push_back(e.what());
      }
    }
  });
  EXPECT_EQ(seen, (std::vector<double>{1.5, 2000, -0.25, 3}));
  ASSERT_EQ(errors.size(), 2u);  // not a number; not finite
  EXPECT_EQ(errors[0], file + ":2: 'x' is not a number (line: \"-0.25 x\")");
  EXPECT_EQ(errors[1], file + ":3: 'inf' is not a number (line: \"3 inf\")");
}

}  // namespace
