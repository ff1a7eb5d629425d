package dev.ums.console;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** {@code /} has nothing of its own: a browser that opens it is sent to the console. */
@Controller
class RootController {

  @GetMapping("/")
  String root() {
    return "redirect:/console";
  }
}
