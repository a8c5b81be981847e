#include "paracel/curve.hpp"

#include <sys/stat.h>
#include <zmq.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "paracel/error.hpp"

namespace paracel {

namespace {

constexpr std::size_t k_z85_key_length = 40;

// The value of `name = "..."` in a ZPL certificate, or "" when absent.
std::string zpl_value(const std::string& text, const std::string& name) {
  const std::regex line("^\\s*" + name + "\\s*=\\s*\"([^\"]*)\"\\s*$");
  std::istringstream in(text);
  for (std::string row; std::getline(in, row);) {
    std::smatch match;
    if (std::regex_match(row, match, line)) return match[1];
  }
  return {};
}

void check_key(const std::string& key, const std::string& name, const std::string& path) {
  if (key.empty()) throw error("key file " + path + " has no " + name);
  std::uint8_t binary[32];
  if (key.size() != k_z85_key_length || zmq_z85_decode(binary, key.c_str()) == nullptr) {
    throw error("key file " + path + ": " + name + " is not a 40-character Z85 key");
  }
}

}  // namespace

bool curve_available() { return zmq_has("curve") != 0; }

curve_pair make_curve_pair() {
  if (!curve_available()) throw error("this libzmq has no CURVE support (built without libsodium)");
  char public_key[k_z85_key_length + 1];
  char secret_key[k_z85_key_length + 1];
  if (zmq_curve_keypair(public_key, secret_key) != 0)
    throw error(std::string("cannot make a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  return {public_key, secret_key};
}

void write_certificate(const std::string& path, const curve_pair& keys) {
  const std::string secret_path = path + "_secret";
  auto write = [](const std::string& file, const std::string& body, mode_t mode) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    {
      std::ofstream out(file);
      out << body;
      if (!out) throw error("cannot write key file " + file);
    }
    if (::chmod(file.c_str(), mode) != 0) throw error("cannot set the mode of key file " + file);
  };
  const std::string head =
      "#   Paracel CURVE certificate (ZPL, as czmq's zcert)\nmetadata\ncurve\n";
  // The secret file first: a public file never exists without its secret.
  write(secret_path,
        head + "    public-key = \"" + keys.public_key + "\"\n    secret-key = \"" +
            keys.secret_key + "\"\n",
        0600);
  write(path, head + "    public-key = \"" + keys.public_key + "\"\n", 0644);
}

curve_pair read_certificate(const std::string& path, bool secret) {
  const std::string& file = path;
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) throw error("key file " + file + " does not exist");
  if (secret && (info.st_mode & 077) != 0) {
    std::ostringstream mode;
    mode << std::oct << (info.st_mode & 0777);
    throw error("secret key file " + file + " is readable by others (mode 0" + mode.str() +
                "): chmod 600 " + file);
  }
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw error("cannot read key file " + file);
  curve_pair keys{zpl_value(text.str(), "public-key"), ""};
  check_key(keys.public_key, "public-key", file);
  if (secret) {
    keys.secret_key = zpl_value(text.str(), "secret-key");
    check_key(keys.secret_key, "secret-key", file);
  }
  return keys;
}

std::set<std::string> read_allowlist(const std::string& folder) {
  std::error_code failed;
  std::filesystem::directory_iterator entries(folder, failed);
  if (failed) throw error("allowlist folder " + folder + ": " + failed.message());
  std::set<std::string> keys;
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.ends_with("_secret") || name.starts_with(".")) continue;
    keys.insert(read_certificate(entry.path().string(), false).public_key);
  }
  return keys;
}

}  // namespace paracel
