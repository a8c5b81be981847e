// A server-side updater built outside the Paracel tree: adds the square of each delta.
#include <paracel/plugin.hpp>

double add_square(double old_value, double delta) { return old_value + delta * delta; }
PARACEL_UPDATER(add_square, add_square)
